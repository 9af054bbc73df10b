import Foundation
import Testing

/// `temblor run` and `temblor check` on the shipped examples and on broken flows.
@Suite struct RunCommandTests {

    @Test func passthroughExampleCopiesEveryEvent() async throws {
        let dir = try ExampleFixtures.copy(example: "passthrough")
        let result = try await TemblorProcess.run(["run", dir.appendingPathComponent("flow.yaml").path])
        #expect(result.status == 0, "\(result.stderr)")
        let input = try String(contentsOf: dir.appendingPathComponent("in.jsonl"), encoding: .utf8)
        let output = try String(contentsOf: dir.appendingPathComponent("out.jsonl"), encoding: .utf8)
        #expect(output == input)
    }

    @Test func benchExampleReportsThroughputAndLatency() async throws {
        let dir = try ExampleFixtures.copy(example: "bench")
        let result = try await TemblorProcess.run(["run", "--stats", dir.appendingPathComponent("flow.yaml").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.contains("hole: 12000 events"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("latency us: p50"), "\(result.stdoutText)")
        #expect(result.stderr.contains("produced 12000, delivered 12000, failed 0"), "\(result.stderr)")
        #expect(result.stderr.contains(#"temblor_events_total{node="hole",port="in",direction="in"} 12000"#), "\(result.stderr)")
    }

    @Test func checkAcceptsTheExamples() async throws {
        for name in ["passthrough", "bench", "tcp-echo", "ws-echo", "webhook-to-file", "http-enrich", "http-echo"] {
            let result = try await TemblorProcess.run(["check", ExampleFixtures.examples.appendingPathComponent("\(name)/flow.yaml").path])
            #expect(result.status == 0, "\(name): \(result.stderr)")
        }
    }

    @Test func brokenFlowsAreRefusedWithFileLineAndWhatToChange() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let flow = dir.appendingPathComponent("flow.yaml")
        try """
            connectors:
              in:
                type: flie
                config: { path: in.jsonl }
              out:
                type: file
                config: { path: out.jsonl, mode: truncate }
                codec: jsonn
            links:
              - in -> out
              - out -> nowhere

            """.write(to: flow, atomically: true, encoding: .utf8)
        for command in ["check", "run"] {
            let result = try await TemblorProcess.run([command, flow.path])
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("\(flow.path):3:"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("flie"), "\(result.stderr)")
            #expect(result.stderr.contains("jsonn"), "\(result.stderr)")
            #expect(result.stderr.contains("nowhere"), "\(result.stderr)")
        }
        let missing = try await TemblorProcess.run(["run", dir.appendingPathComponent("absent.yaml").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("absent.yaml"), "\(missing.stderr)")
    }

    @Test func aMalformedLineFailsTheRunButEveryOtherEventArrives() async throws {
        let dir = try ExampleFixtures.copy(example: "passthrough")
        try "{\"a\":1}\n{\"a\":\n{\"a\":3}\n".write(to: dir.appendingPathComponent("in.jsonl"), atomically: true, encoding: .utf8)
        let result = try await TemblorProcess.run(["run", dir.appendingPathComponent("flow.yaml").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("in: line 2: json: unexpected end of input"), "\(result.stderr)")
        #expect(result.stderr.contains("produced 3, delivered 2, failed 1"), "\(result.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("out.jsonl"), encoding: .utf8) == "{\"a\":1}\n{\"a\":3}\n")
    }

    @Test func sigtermStopsAnEndlessFlowCleanly() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-tick-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let flow = dir.appendingPathComponent("flow.yaml")
        try """
            connectors:
              tick:
                type: metronome
                config: { interval_ms: 10 }
              out:
                type: file
                config: { path: ticks.jsonl, mode: truncate }
            links:
              - tick -> out

            """.write(to: flow, atomically: true, encoding: .utf8)
        let (status, stderr) = try await TemblorProcess.offPool { () throws -> (Int32, String) in
            let process = Process()
            process.executableURL = TemblorProcess.executable
            process.arguments = ["run", "--stats", flow.path]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            // Wait for the first ticks to be written, then ask the daemon to stop.
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                let written = (try? String(contentsOf: dir.appendingPathComponent("ticks.jsonl"), encoding: .utf8)) ?? ""
                if written.split(separator: "\n").count >= 5 { break }
                Thread.sleep(forTimeInterval: 0.02)
            }
            process.terminate()  // SIGTERM
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        #expect(status == 0, "\(stderr)")
        let ticks = try String(contentsOf: dir.appendingPathComponent("ticks.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(ticks.count >= 5)
        #expect(stderr.contains("produced \(ticks.count), delivered \(ticks.count), failed 0"), "\(stderr)")
    }
}
