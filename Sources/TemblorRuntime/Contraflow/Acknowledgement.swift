import TemblorValue

/// Events of one source that were delivered (`delivered`) or could not be (`!delivered`), told
/// to that source so that an at-least-once source can commit or redeliver them.
public struct Acknowledgement: Sendable, Equatable {
    public var ids: [EventId]
    public var delivered: Bool

    public init(ids: [EventId], delivered: Bool) {
        self.ids = ids
        self.delivered = delivered
    }
}
