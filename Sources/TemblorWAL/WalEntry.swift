/// What a scan of a segment finds next.
enum WalEntry {
    /// An intact record, `end` being the offset just past it.
    case record(sequence: UInt64, payload: [UInt8], offset: Int, end: Int)
    /// Bytes that hold no intact record, before the next intact one at `end`.
    case damaged(offset: Int, end: Int)
    /// No intact record from `offset` to the end of what may be read: a torn tail in the
    /// segment being written, damage in an older one.
    case tail(offset: Int)
}
