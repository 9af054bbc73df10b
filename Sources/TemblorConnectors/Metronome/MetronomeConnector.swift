import TemblorRuntime
import TemblorValue

/// `metronome`: emits `{"onramp": "metronome", "ingest_ns": ..., "id": n}` every `interval_ms`,
/// until the flow stops. For heartbeats, and for testing flows on a clock.
public struct MetronomeConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "metronome", hasSource: true, hasSink: false) { config throws(ConnectorConfigError) in
            _ = try Self.interval(config)
        }
    }

    static func interval(_ config: Value) throws(ConnectorConfigError) -> Int {
        let reader = try ConfigReader(config, allowed: ["interval_ms"])
        guard let ms = try reader.int("interval_ms", in: 1...86_400_000) else {
            throw ConnectorConfigError(key: "interval_ms", "missing; say how often to tick, in milliseconds")
        }
        return ms
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(source: MetronomeSource(intervalMs: try Self.interval(definition.config)))
    }
}

struct MetronomeSource: Source {
    let intervalMs: Int

    func run(_ context: SourceContext) async throws {
        var stream = try context.openStream()
        var id: Int64 = 0
        let start = MonotonicClock.now()
        while !Task.isCancelled {
            // Ticks are scheduled from the start, so a slow tick does not shift the ones after it.
            let due = start + UInt64(id) * UInt64(intervalMs) * 1_000_000
            let now = MonotonicClock.now()
            if due > now {
                do {
                    try await Task.sleep(for: .nanoseconds(Int(due - now)))
                } catch {
                    break
                }
            }
            await stream.emit(["onramp": "metronome", "ingest_ns": Value(Event.nowNs()), "id": .int(id)])
            await stream.flush()
            id += 1
        }
    }
}
