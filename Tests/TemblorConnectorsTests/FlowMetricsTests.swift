import Foundation
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// The counters a run keeps per node, port and source, checked exactly on flows built in code.
@Suite struct FlowMetricsTests {
    let here = FlowFixtures.here

    func temporaryDirectory() throws -> String { try FlowFixtures.temporaryDirectory() }

    func link(_ from: String, _ to: String, fromPort: TemblorRuntime.Port = .out) -> LinkDefinition {
        FlowFixtures.link(from, to, fromPort: fromPort)
    }

    func run(_ flow: FlowDefinition, in directory: String) async throws -> (FlowReport, StatsRegistry) {
        let registry = StatsRegistry()
        let runner = FlowRunner(
            flow: flow, directory: directory, connectors: .standard, operators: .standard, batchSize: 4, metrics: registry)
        return (try await runner.run(), registry)
    }

    func events(_ registry: StatsRegistry, _ node: String, _ port: String, _ direction: String) -> Int64? {
        registry.value(of: "temblor_events_total", [("node", node), ("port", port), ("direction", direction)])
    }

    @Test func aFilteringFlowCountsEveryNodePortAndSource() async throws {
        let dir = try temporaryDirectory()
        // 10 events, 6 kept by the filter; 2 lines that do not decode.
        var lines = (0..<10).map { #"{"n":\#($0),"keep":\#($0 % 5 < 3)}"# }
        lines.insert("{\"n\":", at: 3)
        lines.insert("not json", at: 8)
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "in", type: "file", config: ["path": "in.jsonl"], location: here),
                ConnectorDefinition(name: "out", type: "file", config: ["path": "out.jsonl", "mode": "truncate"], location: here),
                ConnectorDefinition(name: "errors", type: "file", config: ["path": "err.jsonl", "mode": "truncate"], location: here),
            ],
            pipelines: [
                PipelineDefinition(
                    name: "main", operators: [OperatorDefinition(name: "filter", config: ["field": "keep", "equals": true], location: here)],
                    location: here)
            ],
            links: [link("in", "main"), link("main", "out"), link("in", "errors", fromPort: .err)])
        let (report, registry) = try await run(flow, in: dir)
        #expect(report == FlowReport(produced: 12, acked: 12, failed: 0))
        #expect(events(registry, "in", "out", "out") == 10)
        #expect(events(registry, "in", "err", "out") == 2)
        #expect(events(registry, "main", "in", "in") == 10)
        #expect(events(registry, "main", "out", "out") == 6)
        #expect(events(registry, "main", "err", "out") == 0)
        #expect(events(registry, "out", "in", "in") == 6)
        #expect(events(registry, "errors", "in", "in") == 2)
        #expect(registry.value(of: "temblor_acks_total", [("source", "in")]) == 12)
        #expect(registry.value(of: "temblor_fails_total", [("source", "in")]) == 0)
        // Connectors used only as sinks have no ack or fail counters.
        #expect(registry.value(of: "temblor_acks_total", [("source", "out")]) == nil)
        #expect(registry.value(of: "temblor_fails_total", [("source", "errors")]) == nil)
        #expect(
            registry.lines == [
                #"temblor_acks_total{source="in"} 12"#,
                #"temblor_events_total{node="errors",port="in",direction="in"} 2"#,
                #"temblor_events_total{node="in",port="err",direction="out"} 2"#,
                #"temblor_events_total{node="in",port="out",direction="out"} 10"#,
                #"temblor_events_total{node="main",port="err",direction="out"} 0"#,
                #"temblor_events_total{node="main",port="in",direction="in"} 10"#,
                #"temblor_events_total{node="main",port="out",direction="out"} 6"#,
                #"temblor_events_total{node="out",port="in",direction="in"} 6"#,
                #"temblor_fails_total{source="in"} 0"#,
            ])
    }

    @Test func aDecodeErrorOnAnUnlinkedErrPortCountsOnErrAndAsFailed() async throws {
        let dir = try temporaryDirectory()
        try "1\nx\n3\n".write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "in", type: "file", config: ["path": "in.jsonl"], location: here),
                ConnectorDefinition(name: "out", type: "null", location: here),
            ],
            links: [link("in", "out")])
        let (report, registry) = try await run(flow, in: dir)
        #expect(report == FlowReport(produced: 3, acked: 2, failed: 1))
        #expect(events(registry, "in", "out", "out") == 2)
        #expect(events(registry, "in", "err", "out") == 1)
        #expect(events(registry, "out", "in", "in") == 2)
        #expect(registry.value(of: "temblor_acks_total", [("source", "in")]) == 2)
        #expect(registry.value(of: "temblor_fails_total", [("source", "in")]) == 1)
    }

    @Test func batchedEventsAckEveryEventTheyTrack() async throws {
        let dir = try temporaryDirectory()
        try (0..<25).map { "\($0)\n" }.joined().write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "in", type: "file", config: ["path": "in.jsonl"], location: here),
                ConnectorDefinition(name: "out", type: "file", config: ["path": "out.jsonl", "mode": "truncate"], location: here),
            ],
            pipelines: [
                PipelineDefinition(name: "main", operators: [OperatorDefinition(name: "batch", config: ["count": 10], location: here)], location: here)
            ],
            links: [link("in", "main"), link("main", "out")])
        let (report, registry) = try await run(flow, in: dir)
        #expect(report == FlowReport(produced: 25, acked: 25, failed: 0))
        #expect(events(registry, "main", "in", "in") == 25)
        #expect(events(registry, "main", "out", "out") == 3)
        #expect(events(registry, "out", "in", "in") == 3)
        #expect(registry.value(of: "temblor_acks_total", [("source", "in")]) == 25)
        #expect(registry.value(of: "temblor_fails_total", [("source", "in")]) == 0)
    }
}
