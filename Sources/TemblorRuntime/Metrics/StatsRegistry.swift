import CoreMetrics
import Synchronization

/// An in-process metrics backend that keeps counters so a run can print them at its end
/// (`temblor run --stats`); recorders and timers are accepted and ignored.
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

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
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

    /// Every counter as a line (`label{name="value",...} count`), sorted.
    public var lines: [String] {
        samples.map(\.line)
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
