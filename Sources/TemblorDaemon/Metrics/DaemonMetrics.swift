import CoreMetrics
import Prometheus

/// The daemon's Prometheus registry: each flow gets a `FlowMetricsFactory` that labels its series
/// with `flow`; `GET /metrics` renders them all in the Prometheus text format.
public struct DaemonMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let prometheus: PrometheusMetricsFactory

    /// Delivery latency is sub-millisecond for most flows: its buckets start at 100 µs.
    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init() {
        var prometheus = PrometheusMetricsFactory(registry: registry)
        prometheus.durationHistogramBuckets["temblor_latency_seconds"] = Self.latencyBuckets
        self.prometheus = prometheus
    }

    /// The backend of flow `id`: its series carry `flow="id"`.
    func factory(flow id: String) -> FlowMetricsFactory {
        FlowMetricsFactory(flow: id, prometheus: prometheus)
    }

    /// A gauge of the daemon itself, without a `flow` label.
    func gauge(_ label: String, _ dimensions: [(String, String)] = []) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: prometheus)
    }

    /// Every series in the Prometheus text format (version 0.0.4).
    func text() -> String {
        registry.emitToString()
    }
}
