/// What a scan found in one segment file.
public struct WalSegmentInfo: Sendable, Equatable {
    /// The file's name in the wal directory.
    public var name: String
    /// The sequence its first record has (from its header, or its name when that is damaged).
    public var firstSequence: UInt64
    /// The sequence of its last intact record, when it has any.
    public var lastSequence: UInt64?
    /// Intact records.
    public var records: Int
    /// The file's size.
    public var bytes: Int
    /// Stretches of bytes without an intact record, skipped when reading.
    public var damagedRegions: Int
    /// Why its header could not be used, when it could not.
    public var headerProblem: String?
}
