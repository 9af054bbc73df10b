/// What one append wrote: the sequences its records got and where the last of them ends.
public struct WalAppended: Sendable, Equatable {
    public var sequences: ClosedRange<UInt64>
    /// Just past the last record, for a reader that already has these records in hand.
    public var end: WalPosition
}
