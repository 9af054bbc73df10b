import TemblorRuntime

/// One deployed flow as `GET /v1/flows/{id}` shows it: its summary, the events through each
/// node's ports, each source's outcomes, its queues and its Lua plugins.
public struct FlowDetail: Sendable, Equatable {
    /// Events through one port of one node (`temblor_events_total`).
    public struct PortCount: Sendable, Equatable {
        public var node: String
        public var port: String
        /// `in` or `out`.
        public var direction: String
        public var events: Int
    }

    /// What became of one source connector's events.
    public struct SourceCount: Sendable, Equatable {
        public var source: String
        public var acked: Int
        public var failed: Int
    }

    public var summary: FlowSummary
    public var ports: [PortCount]
    public var sources: [SourceCount]
    /// Batches waiting in each node's input queue.
    public var queues: [String: Int]
    public var plugins: [PluginStatus]
}
