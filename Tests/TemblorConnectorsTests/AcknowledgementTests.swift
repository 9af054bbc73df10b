import Synchronization
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// What the test source learnt from its acknowledgements.
private final class Outcomes: Sendable {
    let delivered = Mutex<[UInt64]>([])
    let failed = Mutex<[UInt64]>([])
}

/// Emits `count` events, then waits until each one was acked or failed, as an at-least-once
/// source does before committing.
private struct CommittingConnector: ConnectorFactory {
    let count: Int
    let outcomes: Outcomes

    var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "committing", hasSource: true, hasSink: false) { _ throws(ConnectorConfigError) in }
    }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(source: Committer(count: count, outcomes: outcomes))
    }

    struct Committer: Source {
        let count: Int
        let outcomes: Outcomes

        func run(_ context: SourceContext) async throws {
            let acknowledgements = context.acknowledgements()
            var stream = try context.openStream()
            for n in 0..<count {
                await stream.emit(["n": .int(Int64(n))])
            }
            await stream.flush()
            var seen = 0
            for await acknowledgement in acknowledgements {
                let sequences = acknowledgement.ids.map(\.sequence)
                if acknowledgement.delivered {
                    outcomes.delivered.withLock { $0 += sequences }
                } else {
                    outcomes.failed.withLock { $0 += sequences }
                }
                seen += sequences.count
                if seen == count { break }
            }
        }
    }
}

/// Delivers events whose `n` is even and fails the odd ones.
private struct PickyConnector: ConnectorFactory {
    var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "picky", hasSource: false, hasSink: true) { _ throws(ConnectorConfigError) in }
    }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(sink: Picky())
    }

    struct Picky: Sink {
        func run(_ input: SinkInput, _ context: SinkContext) async throws {
            while let batch = await input.next() {
                let even = batch.filter { ($0.payload["n"]?.intValue ?? 1) % 2 == 0 }
                let odd = batch.filter { ($0.payload["n"]?.intValue ?? 1) % 2 != 0 }
                context.ack(even)
                context.fail(odd, reason: "odd")
            }
        }
    }
}

@Suite struct AcknowledgementTests {
    @Test func aSourceLearnsWhichOfItsEventsWereDeliveredAndWhichFailed() async throws {
        let outcomes = Outcomes()
        var registry = ConnectorRegistry.standard
        registry.register(CommittingConnector(count: 10, outcomes: outcomes))
        registry.register(PickyConnector())
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "src", type: "committing", location: FlowFixtures.here),
                ConnectorDefinition(name: "out", type: "picky", location: FlowFixtures.here),
            ],
            pipelines: [PipelineDefinition(name: "main", operators: [OperatorDefinition(name: "passthrough", location: FlowFixtures.here)], location: FlowFixtures.here)],
            links: [FlowFixtures.link("src", "main"), FlowFixtures.link("main", "out")])
        let report = try await FlowRunner(flow: flow, directory: ".", connectors: registry, operators: .standard).run()
        #expect(report == FlowReport(produced: 10, acked: 5, failed: 5))
        #expect(outcomes.delivered.withLock { $0.sorted() } == [0, 2, 4, 6, 8])
        #expect(outcomes.failed.withLock { $0.sorted() } == [1, 3, 5, 7, 9])
    }
}
