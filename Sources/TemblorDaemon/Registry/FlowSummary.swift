import TemblorRuntime

/// One deployed flow as `GET /v1/flows` lists it.
public struct FlowSummary: Sendable, Equatable {
    public var id: String
    public var status: FlowStatus
    /// Seconds since the Unix epoch at which it was deployed.
    public var startedAt: Double
    /// Its connectors and pipelines, by name.
    public var nodes: [String]
    /// Events its sources produced, and how many were delivered or failed so far.
    public var counts: ContraflowRouter.Counts
    /// Why it failed, when it did.
    public var error: String?
}
