/// What opening a wal found wrong and did about it: a torn tail cut, damaged records skipped.
public struct WalRecovery: Sendable, Equatable {
    /// Bytes cut from the end of the newest segment (a record whose write did not complete).
    public var tornBytes = 0
    /// Records that could not be read back (damaged), counted from the gaps in the sequence.
    public var skippedRecords: UInt64 = 0
    /// Stretches of damaged bytes, over all segments.
    public var damagedRegions = 0
    /// One line per problem, naming the file and offset, for the log.
    public var problems: [String] = []

    public init() {}

    /// True when nothing was wrong.
    public var isClean: Bool { tornBytes == 0 && skippedRecords == 0 && damagedRegions == 0 && problems.isEmpty }
}
