import Foundation
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

@Suite struct WalConnectorTests {
    func registry(_ ledger: WalTestLedger, count: Int = 0, gate: WalTestGate? = nil, failFirst: Bool = false) -> ConnectorRegistry {
        var registry = ConnectorRegistry.standard
        registry.register(NumbersConnector(count: count, ledger: ledger))
        registry.register(LedgerConnector(ledger: ledger, gate: gate, failFirst: failFirst))
        return registry
    }

    func wal(_ path: String, _ config: Value = [:], reconnect: Value = .null) -> ConnectorDefinition {
        var config = config
        config["path"] = .string(path)
        return ConnectorDefinition(name: "wal", type: "wal", config: config, reconnect: reconnect, location: FlowFixtures.here)
    }

    func flow(_ connectors: [ConnectorDefinition], _ links: [LinkDefinition]) -> FlowDefinition {
        FlowDefinition(file: "test.yaml", connectors: connectors, links: links)
    }

    var numbers: ConnectorDefinition { ConnectorDefinition(name: "src", type: "numbers", location: FlowFixtures.here) }
    var ledgerSink: ConnectorDefinition { ConnectorDefinition(name: "out", type: "ledger", location: FlowFixtures.here) }

    @Test func everyEventGoesThroughInOrderWithItsMetadataAndTheWalEndsEmpty() async throws {
        let dir = try FlowFixtures.temporaryDirectory()
        let ledger = WalTestLedger()
        let report = try await FlowRunner(
            flow: flow([numbers, wal(dir + "/wal"), ledgerSink], [FlowFixtures.link("src", "wal"), FlowFixtures.link("wal", "out")]),
            directory: dir, connectors: registry(ledger, count: 3000), operators: .standard
        ).run()
        #expect(report.succeeded)
        #expect(ledger.delivered.withLock { $0 } == Array(0..<3000))
        // The metadata is the source's, untouched: the wal adds nothing of its own.
        #expect(ledger.meta.withLock { $0[42] } == ["origin": 42, "stream": 0])
        let inspection = try WalInspection(directory: dir + "/wal")
        #expect(inspection.unacknowledged == 0)
        #expect(inspection.scan.acknowledged == 3000)
        #expect(inspection.oldestUnacknowledged == nil)
    }

    @Test func whatWasStoredIsReplayedInOrderByTheNextRun() async throws {
        let dir = try FlowFixtures.temporaryDirectory()
        let ledger = WalTestLedger()
        // First run: nothing reads the wal's out; every event is stored and acknowledged upstream.
        let stored = try await FlowRunner(
            flow: flow([numbers, wal(dir + "/wal", ["segment_bytes": 16384, "max_bytes": 1_048_576])], [FlowFixtures.link("src", "wal")]),
            directory: dir, connectors: registry(ledger, count: 1000), operators: .standard
        ).run()
        #expect(stored == FlowReport(produced: 1000, acked: 1000, failed: 0))
        let inspection = try WalInspection(directory: dir + "/wal")
        #expect(inspection.unacknowledged == 1000)
        #expect(inspection.scan.segments.count > 3)
        #expect(inspection.oldestUnacknowledged?.sequence == 1)
        #expect(inspection.oldestUnacknowledged?.event["payload"]?["n"] == 0)
        // Second run: only the wal's out is linked; it replays everything, then ends.
        let replayed = try await FlowRunner(
            flow: flow([wal(dir + "/wal", ["segment_bytes": 16384, "max_bytes": 1_048_576]), ledgerSink], [FlowFixtures.link("wal", "out")]),
            directory: dir, connectors: registry(ledger), operators: .standard
        ).run()
        #expect(replayed.succeeded)
        #expect(ledger.delivered.withLock { $0 } == Array(0..<1000))
        let after = try WalInspection(directory: dir + "/wal")
        #expect(after.unacknowledged == 0)
        // Acknowledged segments were reclaimed: at most the newest is left.
        #expect(after.scan.records <= 1000 / 3)
    }

    @Test func aFailIsSentAgainAfterTheBackoffAndNothingIsLost() async throws {
        let dir = try FlowFixtures.temporaryDirectory()
        let ledger = WalTestLedger()
        let report = try await FlowRunner(
            flow: flow(
                [numbers, wal(dir + "/wal", reconnect: ["initial_ms": 5, "max_ms": 20]), ledgerSink],
                [FlowFixtures.link("src", "wal"), FlowFixtures.link("wal", "out")]),
            directory: dir, connectors: registry(ledger, count: 500, failFirst: true), operators: .standard
        ).run()
        let delivered = ledger.delivered.withLock { $0 }
        #expect(Set(delivered) == Set(0..<500))
        #expect(ledger.failedOnce.withLock { $0.count } == 72)
        // The sink's fails are the only ones: every event into the wal was acknowledged upstream.
        #expect(report.failed == 72)
        #expect(try WalInspection(directory: dir + "/wal").unacknowledged == 0)
    }

    @Test func aFullWalHoldsTheSourceAndDropsNothingUntilTheSinkComesBack() async throws {
        let dir = try FlowFixtures.temporaryDirectory()
        let ledger = WalTestLedger()
        let gate = WalTestGate()
        let runner = FlowRunner(
            flow: flow(
                [numbers, wal(dir + "/wal", ["max_bytes": 16384, "segment_bytes": 4096]), ledgerSink],
                [FlowFixtures.link("src", "wal"), FlowFixtures.link("wal", "out")]),
            directory: dir, connectors: registry(ledger, count: 30000, gate: gate), operators: .standard)
        let run = Task { try await runner.run() }
        // The source stops: the wal is full and its breaker holds it.
        var last = -1
        for _ in 0..<100 {
            try await Task.sleep(for: .milliseconds(50))
            let now = ledger.emitted.load(ordering: .relaxed)
            if now == last && now > 0 { break }
            last = now
        }
        let held = ledger.emitted.load(ordering: .relaxed)
        #expect(held < 30000)
        #expect(ledger.count == 0)
        let full = try WalInspection(directory: dir + "/wal")
        #expect(full.scan.bytes <= 16384)
        #expect(full.unacknowledged > 0)
        #expect(runner.router.total.failed == 0)
        gate.release()
        let report = try await run.value
        #expect(report == FlowReport(produced: report.produced, acked: report.produced, failed: 0))
        #expect(ledger.delivered.withLock { $0 } == Array(0..<30000))
    }

    @Test func aDiskBufferOnASinkIsAWalInFrontOfIt() async throws {
        let dir = try FlowFixtures.temporaryDirectory()
        let ledger = WalTestLedger()
        var sink = ledgerSink
        sink.buffer = ["type": "disk", "path": .string(dir + "/buffer"), "max_bytes": 1_048_576]
        let definition = flow([numbers, sink], [FlowFixtures.link("src", "out")])
        let expanded = definition.expandingBuffers()
        #expect(expanded.connectors.map(\.name) == ["src", "out", "out.buffer"])
        #expect(expanded.connectors[2].type == "wal")
        #expect(expanded.links.map { "\($0.from) -> \($0.to)" } == ["src/out -> out.buffer/in", "out.buffer/out -> out/in"])
        let report = try await FlowRunner(flow: definition, directory: dir, connectors: registry(ledger, count: 700), operators: .standard).run()
        #expect(report.succeeded)
        #expect(ledger.delivered.withLock { $0 } == Array(0..<700))
        #expect(try WalInspection(directory: dir + "/buffer").scan.acknowledged == 700)
    }

    @Test func aSecondWalOnTheSameDirectoryIsRefusedWithTheReason() async throws {
        let dir = try FlowFixtures.temporaryDirectory()
        let ledger = WalTestLedger()
        let gate = WalTestGate()
        let first = FlowRunner(
            flow: flow([numbers, wal(dir + "/wal"), ledgerSink], [FlowFixtures.link("src", "wal"), FlowFixtures.link("wal", "out")]),
            directory: dir, connectors: registry(ledger, count: 10, gate: gate), operators: .standard)
        let running = Task { try await first.run() }
        try await Task.sleep(for: .milliseconds(200))
        let second = FlowRunner(
            flow: flow([wal(dir + "/wal"), ledgerSink], [FlowFixtures.link("wal", "out")]),
            directory: dir, connectors: registry(ledger), operators: .standard)
        do {
            _ = try await second.run()
            Issue.record("a second wal opened \(dir)/wal")
        } catch {
            #expect("\(error)".contains("is in use by this process"))
            #expect("\(error)".contains("give each its own path"))
        }
        gate.release()
        #expect(try await running.value.succeeded)
        #expect(ledger.delivered.withLock { $0 } == Array(0..<10))
    }

    @Test func badConfigurationsNameTheKey() {
        let info = WalConnector().info
        #expect(throws: ConnectorConfigError(key: "path", "missing; this connector needs 'path'")) { try info.validate([:]) }
        #expect(throws: ConnectorConfigError.self) { try info.validate(["path": "w", "fsync": "sometimes"]) }
        #expect(throws: ConnectorConfigError.self) { try info.validate(["path": "w", "fsync": ["interval_ms": 0]]) }
        #expect(throws: ConnectorConfigError.self) { try info.validate(["path": "w", "max_bytes": 65536, "segment_bytes": 65536]) }
        #expect(throws: ConnectorConfigError.self) { try info.validate(["path": "w", "colour": "blue"]) }
        #expect(throws: Never.self) { try info.validate(["path": "w", "fsync": ["interval_ms": 50], "max_bytes": 1_048_576]) }
        #expect(throws: Never.self) { try info.validate(["path": "w", "fsync": "always"]) }
    }
}
