import CoreMetrics

/// The counters a running flow keeps (documented in docs/flows.md, "Metrics"); each node makes
/// its counters once when the flow is built and increments them once per batch.
struct FlowMetrics: Sendable {
    /// Events through a node's port: `node`, `port` and `direction` (`in` or `out`).
    static let events = "temblor_events_total"
    /// Events of a source connector that were delivered: `source`.
    static let acks = "temblor_acks_total"
    /// Events of a source connector that could not be delivered: `source`.
    static let fails = "temblor_fails_total"
    /// From an event's entry to its delivery, one sample per delivered run of a source's events: `source`.
    static let latency = "temblor_latency_seconds"

    let factory: any MetricsFactory

    /// The count of events going `direction` through `port` of `node`.
    func events(node: String, port: Port, direction: String) -> Counter {
        Counter(label: Self.events, dimensions: [("node", node), ("port", port.name), ("direction", direction)], factory: factory)
    }

    /// The acks and fails counts and the delivery latency of the source connector `source`.
    func outcomes(source: String) -> ContraflowRouter.SourceMetrics {
        ContraflowRouter.SourceMetrics(
            acks: Counter(label: Self.acks, dimensions: [("source", source)], factory: factory),
            fails: Counter(label: Self.fails, dimensions: [("source", source)], factory: factory),
            latency: Timer(label: Self.latency, dimensions: [("source", source)], factory: factory))
    }
}
