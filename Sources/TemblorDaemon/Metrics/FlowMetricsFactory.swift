import CoreMetrics
import Prometheus
import Synchronization
import TemblorRuntime

/// The metrics backend of one flow in the daemon: every metric goes both to the flow's own
/// `StatsRegistry` (which `GET /v1/flows/{id}` reads) and, with a `flow` label added, to the
/// daemon's Prometheus registry; `unregister` takes the flow's series out of `/metrics` when
/// it is deleted, so a later flow of the same id starts from zero.
final class FlowMetricsFactory: MetricsFactory, Sendable {
    let flow: String
    /// The flow's counters and gauges, without the `flow` label.
    let stats = StatsRegistry()
    private let prometheus: PrometheusMetricsFactory
    /// How to take each series this flow made out of the Prometheus registry, by series: asking
    /// again for a series (a denied call counts itself each time) adds nothing.
    private let made = Mutex<[String: @Sendable () -> Void]>([:])

    init(flow: String, prometheus: PrometheusMetricsFactory) {
        self.flow = flow
        self.prometheus = prometheus
    }

    private func labelled(_ dimensions: [(String, String)]) -> [(String, String)] {
        [("flow", flow)] + dimensions
    }

    private func remember(_ label: String, _ dimensions: [(String, String)], _ destroy: @escaping @Sendable () -> Void) {
        let series = ([label] + dimensions.flatMap { [$0.0, $0.1] }).joined(separator: "\u{0}")
        made.withLock { made in
            if made[series] == nil { made[series] = destroy }
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let exported = prometheus.makeCounter(label: label, dimensions: labelled(dimensions))
        remember(label, dimensions) { [prometheus] in prometheus.destroyCounter(exported) }
        return TeeCounter(stats.makeCounter(label: label, dimensions: dimensions), exported)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let exported = prometheus.makeRecorder(label: label, dimensions: labelled(dimensions), aggregate: aggregate)
        remember(label, dimensions) { [prometheus] in prometheus.destroyRecorder(exported) }
        return TeeRecorder(stats.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate), exported)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let exported = prometheus.makeTimer(label: label, dimensions: labelled(dimensions))
        remember(label, dimensions) { [prometheus] in prometheus.destroyTimer(exported) }
        return exported
    }

    /// A flow's series live as long as the flow: `unregister` removes them all at once.
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    /// Takes every series of this flow out of the Prometheus registry.
    func unregister() {
        let destroys = made.withLock { made in
            defer { made = [:] }
            return made.values
        }
        for destroy in destroys { destroy() }
    }
}

/// A counter counted in two backends.
private final class TeeCounter: CounterHandler, Sendable {
    let first: any CounterHandler
    let second: any CounterHandler

    init(_ first: any CounterHandler, _ second: any CounterHandler) {
        self.first = first
        self.second = second
    }

    func increment(by amount: Int64) {
        first.increment(by: amount)
        second.increment(by: amount)
    }

    func reset() {
        first.reset()
        second.reset()
    }
}

/// A gauge or recorder recorded in two backends.
private final class TeeRecorder: RecorderHandler, Sendable {
    let first: any RecorderHandler
    let second: any RecorderHandler

    init(_ first: any RecorderHandler, _ second: any RecorderHandler) {
        self.first = first
        self.second = second
    }

    func record(_ value: Int64) {
        first.record(value)
        second.record(value)
    }

    func record(_ value: Double) {
        first.record(value)
        second.record(value)
    }
}
