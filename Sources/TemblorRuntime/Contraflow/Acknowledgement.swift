import TemblorValue

/// Events of one source that were delivered (`delivered`) or could not be (`!delivered`), told
/// to that source so that an at-least-once source can commit or redeliver them.
public struct Acknowledgement: Sendable, Equatable {
    public var ids: [EventId]
    public var delivered: Bool
    /// Why the events failed, when the sink said (an answering source passes it on to its client).
    public var reason: String?

    public init(ids: [EventId], delivered: Bool, reason: String? = nil) {
        self.ids = ids
        self.delivered = delivered
        self.reason = reason
    }
}
