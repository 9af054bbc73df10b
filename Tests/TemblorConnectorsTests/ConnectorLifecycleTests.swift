import Synchronization
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// What happened to a test connector, in order.
private final class HookLog: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// Records every hook; `connect` fails its first `failures` attempts (all of them when negative).
private final class RecordingHooks: ConnectorLifecycle {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "refused" }
    }

    let log: HookLog
    let failures: Int
    private let attempts = Atomic<Int>(0)

    init(log: HookLog, failures: Int) {
        self.log = log
        self.failures = failures
    }

    func connect() async throws -> Bool {
        log.add("connect")
        let attempt = attempts.wrappingAdd(1, ordering: .relaxed).newValue
        if failures < 0 || attempt <= failures { throw Refused() }
        return true
    }
    func onStart() async { log.add("start") }
    func onPause() async { log.add("pause") }
    func onResume() async { log.add("resume") }
    func onDrain() async { log.add("drain") }
    func onStop() async { log.add("stop") }
}

/// Lets a test source wait until the test sink has opened its breaker.
private final class GateSignal: Sendable {
    let opened = Atomic<Bool>(false)
}

/// A source that emits `count` events, one batch each, with hooks; with a gate, it starts
/// emitting only once the gate is open.
private struct HookedConnector: ConnectorFactory {
    let log: HookLog
    let failures: Int
    let count: Int
    var gate: GateSignal? = nil

    var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "hooked", hasSource: true, hasSink: false) { _ throws(ConnectorConfigError) in }
    }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(source: Emitter(count: count, log: log, gate: gate), lifecycle: RecordingHooks(log: log, failures: failures))
    }

    struct Emitter: Source {
        let count: Int
        let log: HookLog
        let gate: GateSignal?
        func run(_ context: SourceContext) async throws {
            log.add("run")
            if let gate {
                for _ in 0..<2000 where !gate.opened.load(ordering: .relaxed) {
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            var stream = try context.openStream()
            for n in 0..<count {
                await stream.emit(["n": .int(Int64(n))])
                await stream.flush()
            }
        }
    }
}

/// A sink that cannot accept events for its first moments: it opens its breaker, then closes it.
private struct GateConnector: ConnectorFactory {
    let signal: GateSignal

    var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "gate", hasSource: false, hasSink: true) { _ throws(ConnectorConfigError) in }
    }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(sink: Gate(signal: signal))
    }

    struct Gate: Sink {
        let signal: GateSignal
        func run(_ input: SinkInput, _ context: SinkContext) async throws {
            context.breaker.open()
            signal.opened.store(true, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(200))
            context.breaker.close()
            while let batch = await input.next() {
                context.ack(batch)
            }
        }
    }
}

@Suite struct ConnectorLifecycleTests {
    let here = FlowFixtures.here

    fileprivate func run(_ factory: HookedConnector, reconnect: Value, sink: String = "null", extra: [any ConnectorFactory] = []) async throws -> FlowReport {
        var registry = ConnectorRegistry.standard
        registry.register(factory)
        for other in extra { registry.register(other) }
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "src", type: "hooked", reconnect: reconnect, location: here),
                ConnectorDefinition(name: "out", type: sink, location: here),
            ],
            links: [FlowFixtures.link("src", "out")])
        return try await FlowRunner(flow: flow, directory: ".", connectors: registry, operators: .standard).run()
    }

    @Test func hooksRunInOrderAndConnectIsRetriedWithBackoff() async throws {
        let log = HookLog()
        let report = try await run(HookedConnector(log: log, failures: 2, count: 3), reconnect: ["initial_ms": 1, "max_ms": 5])
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        #expect(log.all == ["connect", "connect", "connect", "start", "run", "drain", "stop"])
    }

    @Test func aConnectorThatNeverConnectsDoesNotRunAndTheFlowStillEnds() async throws {
        let log = HookLog()
        let report = try await run(HookedConnector(log: log, failures: -1, count: 3), reconnect: ["initial_ms": 1, "max_retries": 2])
        #expect(report == FlowReport(produced: 0, acked: 0, failed: 0))
        #expect(log.all == ["connect", "connect", "connect", "stop"])
    }

    @Test func aSinkThatCannotAcceptPausesAndResumesItsSource() async throws {
        let log = HookLog()
        let signal = GateSignal()
        let report = try await run(
            HookedConnector(log: log, failures: 0, count: 5, gate: signal), reconnect: .null, sink: "gate",
            extra: [GateConnector(signal: signal)])
        #expect(report == FlowReport(produced: 5, acked: 5, failed: 0))
        let entries = log.all
        #expect(entries.first == "connect" && entries.last == "stop", "\(entries)")
        #expect(entries == ["connect", "start", "run", "pause", "resume", "drain", "stop"], "\(entries)")
    }
}
