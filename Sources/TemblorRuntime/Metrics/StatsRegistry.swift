import CoreMetrics
import Synchronization

/// An in-process metrics backend that keeps counters and gauges so a run can print them at its
/// end (`temblor run --stats`); aggregating recorders and timers are accepted and ignored.
///
/// Counters with the same label and dimensions share one value, so asking twice for a counter
/// does not split its count.
public final class StatsRegistry: MetricsFactory, Sendable {
    /// One counter's value, lock-free: incremented once per batch from many tasks.
    final class StatsCounter: CounterHandler, Sendable {
        let value = Atomic<Int64>(0)

        func increment(by amount: Int64) {
            value.add(amount, ordering: .relaxed)
        }

        func reset() {
            value.store(0, ordering: .relaxed)
        }
    }

    /// One gauge's last value (a plugin's `ctx:metric`, say), lock-free.
    final class StatsGauge: RecorderHandler, Sendable {
        let bits = Atomic<UInt64>(0)

        func record(_ value: Int64) {
            record(Double(value))
        }

        func record(_ value: Double) {
            bits.store(value.bitPattern, ordering: .relaxed)
        }

        var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }
    }

    /// What identifies a counter: its label and its dimensions in the order given.
    struct Key: Hashable {
        let label: String
        let dimensions: [String]

        init(label: String, dimensions: [(String, String)]) {
            self.label = label
            self.dimensions = dimensions.flatMap { [$0.0, $0.1] }
        }
    }

    /// A counter's identity and current value.
    public struct Sample: Sendable, Equatable {
        public let label: String
        public let dimensions: [Dimension]
        public let value: Int64

        /// One dimension of a sample; a struct because tuples are not `Equatable`.
        public struct Dimension: Sendable, Equatable {
            public let name: String
            public let value: String
        }

        /// The sample as one line: `label{name="value",...} count`, in the dimensions' order.
        public var line: String {
            let labels = dimensions.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
            return labels.isEmpty ? "\(label) \(value)" : "\(label){\(labels)} \(value)"
        }
    }

    private let counters = Mutex<[Key: StatsCounter]>([:])
    private let gauges = Mutex<[Key: StatsGauge]>([:])

    public init() {}

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let key = Key(label: label, dimensions: dimensions)
        return counters.withLock { counters in
            if let existing = counters[key] { return existing }
            let counter = StatsCounter()
            counters[key] = counter
            return counter
        }
    }

    /// Gauges (`aggregate: false`) keep their last value; aggregating recorders are ignored.
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard !aggregate else { return NOOPMetricsHandler.instance }
        let key = Key(label: label, dimensions: dimensions)
        return gauges.withLock { gauges in
            if let existing = gauges[key] { return existing }
            let gauge = StatsGauge()
            gauges[key] = gauge
            return gauge
        }
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        NOOPMetricsHandler.instance
    }

    /// Counters stay registered (their totals are the point); destroying one does nothing.
    public func destroyCounter(_ handler: any CounterHandler) {}

    public func destroyRecorder(_ handler: any RecorderHandler) {}

    public func destroyTimer(_ handler: any TimerHandler) {}

    /// The value of one counter, or `nil` if nothing created it.
    public func value(of label: String, _ dimensions: [(String, String)] = []) -> Int64? {
        let key = Key(label: label, dimensions: dimensions)
        return counters.withLock { $0[key]?.value.load(ordering: .relaxed) }
    }

    /// Every counter, sorted by label then dimensions.
    public var samples: [Sample] {
        let all = counters.withLock { counters in
            counters.map { key, counter in
                Sample(
                    label: key.label,
                    dimensions: stride(from: 0, to: key.dimensions.count - 1, by: 2).map {
                        Sample.Dimension(name: key.dimensions[$0], value: key.dimensions[$0 + 1])
                    },
                    value: counter.value.load(ordering: .relaxed))
            }
        }
        return all.sorted { $0.line < $1.line }
    }

    /// The last value of one gauge, or `nil` if nothing created it.
    public func gaugeValue(of label: String, _ dimensions: [(String, String)] = []) -> Double? {
        let key = Key(label: label, dimensions: dimensions)
        return gauges.withLock { $0[key]?.value }
    }

    /// Every counter and gauge as a line (`label{name="value",...} value`), sorted.
    public var lines: [String] {
        let gaugeLines = gauges.withLock { gauges in
            gauges.map { key, gauge in
                let labels = stride(from: 0, to: key.dimensions.count - 1, by: 2)
                    .map { "\(key.dimensions[$0])=\"\(key.dimensions[$0 + 1])\"" }.joined(separator: ",")
                let value = gauge.value
                let text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
                return labels.isEmpty ? "\(key.label) \(text)" : "\(key.label){\(labels)} \(text)"
            }
        }
        return (samples.map(\.line) + gaugeLines).sorted()
    }
}

extension StatsRegistry {
    /// Makes this registry the process's metrics backend, so every counter lands here.
    /// `MetricsSystem` accepts one bootstrap per process (a second one traps): only an
    /// executable's entry point should call this, once; tests pass the registry to `FlowRunner`.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(self)
    }
}
