/// How large a wal may grow, and how large each of its segment files is before the next begins.
public struct WalOptions: Sendable, Equatable {
    /// The most bytes all segments may hold; a writer waits (never drops) for acks to free space.
    public var maxBytes: Int
    /// The size at which the segment being written is closed and the next one begins; space is
    /// reclaimed a whole segment at a time.
    public var segmentBytes: Int

    public init(maxBytes: Int = 1 << 30, segmentBytes: Int = 64 << 20) {
        self.maxBytes = maxBytes
        self.segmentBytes = segmentBytes
    }
}
