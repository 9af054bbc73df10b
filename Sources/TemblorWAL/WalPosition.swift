/// Where a record ends in the log: its segment (by first sequence) and the byte offset after it,
/// so that a reader can go on from there without scanning the segment from its start.
public struct WalPosition: Sendable, Equatable {
    /// The first sequence of the segment, which names it.
    public var segment: UInt64
    /// The offset in that segment's file just past the record.
    public var offset: Int

    public init(segment: UInt64, offset: Int) {
        self.segment = segment
        self.offset = offset
    }
}
