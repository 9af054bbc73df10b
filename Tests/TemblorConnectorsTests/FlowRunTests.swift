import Foundation
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// Whole flows built in code and run to their end: the contract of finite runs.
@Suite struct FlowRunTests {
    let here = FlowFixtures.here

    func temporaryDirectory() throws -> String { try FlowFixtures.temporaryDirectory() }

    func link(_ from: String, _ to: String, fromPort: TemblorRuntime.Port = .out) -> LinkDefinition {
        FlowFixtures.link(from, to, fromPort: fromPort)
    }

    func run(_ flow: FlowDefinition, in directory: String) async throws -> FlowReport {
        let runner = FlowRunner(flow: flow, directory: directory, connectors: .standard, operators: Self.operators)
        return try await runner.run()
    }

    static let operators: OperatorRegistry = {
        var registry = OperatorRegistry()
        registry.register("passthrough") { config throws(OperatorError) in try PassthroughOperator(config: config) }
        return registry
    }()

    @Test func fileThroughPassthroughToFileDeliversEveryEventInOrder() async throws {
        let dir = try temporaryDirectory()
        let lines = (0..<5000).map { #"{"n":\#($0),"msg":"event \#($0)"}"# }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "in", type: "file", config: ["path": "in.jsonl"], location: here),
                ConnectorDefinition(name: "out", type: "file", config: ["path": "out.jsonl", "mode": "truncate"], location: here),
            ],
            pipelines: [PipelineDefinition(name: "main", operators: [OperatorDefinition(name: "passthrough", location: here)], location: here)],
            links: [link("in", "main"), link("main", "out")])
        let report = try await run(flow, in: dir)
        #expect(report == FlowReport(produced: 5000, acked: 5000, failed: 0))
        #expect(report.succeeded)
        let written = try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8)
        #expect(written == lines.joined(separator: "\n") + "\n")
    }

    @Test func malformedLinesGoToErrWithTheirNumberAndTheRestFlows() async throws {
        let dir = try temporaryDirectory()
        try "{\"a\":1}\n{\"a\":\n\n{\"a\":3}\nnot json\n{\"a\":5}\n".write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "in", type: "file", config: ["path": "in.jsonl"], location: here),
                ConnectorDefinition(name: "out", type: "file", config: ["path": "out.jsonl", "mode": "truncate"], location: here),
                ConnectorDefinition(name: "errors", type: "file", config: ["path": "err.jsonl", "mode": "truncate"], location: here),
            ],
            links: [link("in", "out"), link("in", "errors", fromPort: .err)])
        let report = try await run(flow, in: dir)
        #expect(report == FlowReport(produced: 5, acked: 5, failed: 0))
        #expect(try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8) == "{\"a\":1}\n{\"a\":3}\n{\"a\":5}\n")
        let errors = try String(contentsOfFile: dir + "/err.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(errors.count == 2)
        #expect(errors[0].contains(#""line":2"#), "\(errors[0])")
        #expect(errors[0].contains("in: line 2: json:"), "\(errors[0])")
        #expect(errors[0].contains("unexpected end of input"), "\(errors[0])")
        #expect(errors[1].contains(#""line":5"#), "\(errors[1])")
        #expect(errors[1].contains(#""frame":4"#), "\(errors[1])")
        #expect(errors[1].contains(#""data":"not json""#), "\(errors[1])")
    }

    @Test func anUnlinkedErrPortFailsTheRun() async throws {
        let dir = try temporaryDirectory()
        try "1\nx\n3\n".write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "in", type: "file", config: ["path": "in.jsonl"], location: here),
                ConnectorDefinition(name: "out", type: "null", location: here),
            ],
            links: [link("in", "out")])
        let report = try await run(flow, in: dir)
        #expect(report == FlowReport(produced: 3, acked: 2, failed: 1))
        #expect(!report.succeeded)
    }

    @Test func anUnwritableFileFailsItsEventsWithoutHangingTheRun() async throws {
        let dir = try temporaryDirectory()
        try "1\n2\n".write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "in", type: "file", config: ["path": "in.jsonl"], location: here),
                ConnectorDefinition(name: "out", type: "file", config: ["path": "no/such/dir/out.jsonl", "mode": "write"], location: here),
            ],
            links: [link("in", "out")])
        let report = try await run(flow, in: dir)
        #expect(report == FlowReport(produced: 2, acked: 0, failed: 2))
    }

    @Test func benchToBlackholeReplaysEveryIteration() async throws {
        let dir = try temporaryDirectory()
        try (0..<100).map { #"{"n":\#($0)}"# }.joined(separator: "\n").write(toFile: dir + "/events.jsonl", atomically: true, encoding: .utf8)
        let reports = ReportBox()
        var registry = ConnectorRegistry.standard
        registry.register(BlackholeConnector { reports.append($0) })
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "bench", type: "bench", config: ["path": "events.jsonl", "iterations": 3], location: here),
                ConnectorDefinition(name: "hole", type: "blackhole", location: here),
            ],
            links: [link("bench", "hole")])
        let runner = FlowRunner(flow: flow, directory: dir, connectors: registry, operators: Self.operators)
        let report = try await runner.run()
        #expect(report == FlowReport(produced: 300, acked: 300, failed: 0))
        let text = reports.all.joined()
        #expect(text.contains("hole: 300 events"), "\(text)")
        #expect(text.contains("latency us: p50"), "\(text)")
    }

    @Test func stoppingAnEndlessSourceDrainsWhatItProduced() async throws {
        let dir = try temporaryDirectory()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "tick", type: "metronome", config: ["interval_ms": 5], location: here),
                ConnectorDefinition(name: "out", type: "file", config: ["path": "ticks.jsonl", "mode": "truncate"], location: here),
            ],
            links: [link("tick", "out")])
        let runner = FlowRunner(flow: flow, directory: dir, connectors: .standard, operators: Self.operators)
        async let report = runner.run()
        // Stop once a few ticks were written (bounded: a loaded machine may be slow to tick).
        for _ in 0..<500 {
            let written = (try? String(contentsOfFile: dir + "/ticks.jsonl", encoding: .utf8)) ?? ""
            if written.split(separator: "\n").count >= 5 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        runner.stop()
        let result = try await report
        #expect(result.produced >= 5)
        #expect(result.succeeded, "\(result)")
        let lines = try String(contentsOfFile: dir + "/ticks.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == result.produced)
        #expect(lines.first?.contains(#""onramp":"metronome""#) == true)
    }
}

/// Collects blackhole reports from the sink's task.
final class ReportBox: @unchecked Sendable {
    // Every access to `lines` holds `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
