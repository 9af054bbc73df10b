import Foundation
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// The `file` source with `follow: true`: appends, partial lines, rotation, truncation, a late
/// file, and stopping. Each test waits on the output with a deadline, never on a fixed delay.
@Suite struct FileFollowTests {
    let here = FlowFixtures.here

    func temporaryDirectory() throws -> String { try FlowFixtures.temporaryDirectory() }

    /// Follows `in.jsonl` into `out.jsonl`, polling every 5 ms.
    func runner(in dir: String) -> FlowRunner {
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "in", type: "file", config: ["path": "in.jsonl", "follow": true, "poll_ms": 5], location: here),
                ConnectorDefinition(name: "out", type: "file", config: ["path": "out.jsonl", "mode": "truncate"], location: here),
            ],
            links: [
                LinkDefinition(from: LinkEndpoint(node: "in", port: .out), to: LinkEndpoint(node: "out", port: .in), location: here)
            ])
        return FlowRunner(flow: flow, directory: dir, connectors: .standard, operators: OperatorRegistry())
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The output's lines once there are at least `count` (bounded: a loaded machine may be slow).
    func waitForLines(_ path: String, count: Int) async throws -> [String] {
        for _ in 0..<1500 {
            let current = lines(path)
            if current.count >= count { return current }
            try await Task.sleep(for: .milliseconds(20))
        }
        return lines(path)
    }

    func append(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    func events(_ range: ClosedRange<Int>) -> [String] { range.map { #"{"n":\#($0)}"# } }

    func text(_ range: ClosedRange<Int>) -> String { events(range).joined(separator: "\n") + "\n" }

    @Test func appendedLinesArriveWhileTheFlowRuns() async throws {
        let dir = try temporaryDirectory()
        try text(1...2).write(toFile: dir + "/in.jsonl", atomically: false, encoding: .utf8)
        let runner = runner(in: dir)
        async let report = runner.run()
        #expect(try await waitForLines(dir + "/out.jsonl", count: 2) == events(1...2))
        try append(text(3...5), to: dir + "/in.jsonl")
        #expect(try await waitForLines(dir + "/out.jsonl", count: 5) == events(1...5))
        runner.stop()
        #expect(try await report == FlowReport(produced: 5, acked: 5, failed: 0))
    }

    @Test func aPartialLineArrivesOnceComplete() async throws {
        let dir = try temporaryDirectory()
        try #"{"n":1}"#.appending("\n{\"n\":").write(toFile: dir + "/in.jsonl", atomically: false, encoding: .utf8)
        let runner = runner(in: dir)
        async let report = runner.run()
        #expect(try await waitForLines(dir + "/out.jsonl", count: 1) == events(1...1))
        try append("2}\n", to: dir + "/in.jsonl")
        #expect(try await waitForLines(dir + "/out.jsonl", count: 2) == events(1...2))
        runner.stop()
        let result = try await report
        #expect(result == FlowReport(produced: 2, acked: 2, failed: 0))
        #expect(result.succeeded)
    }

    @Test func rotationByRenameDeliversBothFilesOnceInOrder() async throws {
        let dir = try temporaryDirectory()
        try text(1...3).write(toFile: dir + "/in.jsonl", atomically: false, encoding: .utf8)
        let runner = runner(in: dir)
        async let report = runner.run()
        #expect(try await waitForLines(dir + "/out.jsonl", count: 3) == events(1...3))
        // logrotate's way: rename, the writer still appends to the old file, then a new file.
        try FileManager.default.moveItem(atPath: dir + "/in.jsonl", toPath: dir + "/in.jsonl.1")
        try append(text(4...5), to: dir + "/in.jsonl.1")
        try text(6...8).write(toFile: dir + "/in.jsonl", atomically: false, encoding: .utf8)
        #expect(try await waitForLines(dir + "/out.jsonl", count: 8) == events(1...8))
        try append(text(9...9), to: dir + "/in.jsonl")
        #expect(try await waitForLines(dir + "/out.jsonl", count: 9) == events(1...9))
        runner.stop()
        #expect(try await report == FlowReport(produced: 9, acked: 9, failed: 0))
        #expect(lines(dir + "/out.jsonl") == events(1...9))
    }

    @Test func truncationRestartsFromTheBeginning() async throws {
        let dir = try temporaryDirectory()
        try text(1...5).write(toFile: dir + "/in.jsonl", atomically: false, encoding: .utf8)
        let runner = runner(in: dir)
        async let report = runner.run()
        #expect(try await waitForLines(dir + "/out.jsonl", count: 5) == events(1...5))
        // Rewritten in place (same inode), shorter than what was read.
        #expect(truncate(dir + "/in.jsonl", 0) == 0)
        try append(text(6...7), to: dir + "/in.jsonl")
        #expect(try await waitForLines(dir + "/out.jsonl", count: 7) == events(1...7))
        runner.stop()
        #expect(try await report == FlowReport(produced: 7, acked: 7, failed: 0))
    }

    @Test func aFileCreatedAfterTheStartIsPickedUp() async throws {
        let dir = try temporaryDirectory()
        let runner = runner(in: dir)
        async let report = runner.run()
        // Once the sink has created its output the flow runs; let the follower find no file a few times.
        for _ in 0..<1500 where !FileManager.default.fileExists(atPath: dir + "/out.jsonl") {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(50))
        try text(1...3).write(toFile: dir + "/in.jsonl", atomically: false, encoding: .utf8)
        #expect(try await waitForLines(dir + "/out.jsonl", count: 3) == events(1...3))
        runner.stop()
        #expect(try await report == FlowReport(produced: 3, acked: 3, failed: 0))
    }

    @Test func stopDeliversEveryProducedEventIncludingALastLineWithoutNewline() async throws {
        let dir = try temporaryDirectory()
        try (text(1...2) + #"{"n":3}"#).write(toFile: dir + "/in.jsonl", atomically: false, encoding: .utf8)
        let runner = runner(in: dir)
        async let report = runner.run()
        #expect(try await waitForLines(dir + "/out.jsonl", count: 2) == events(1...2))
        runner.stop()
        let result = try await report
        #expect(result == FlowReport(produced: 3, acked: 3, failed: 0))
        #expect(result.succeeded, "\(result)")
        #expect(lines(dir + "/out.jsonl") == events(1...3))
    }

    @Test func followIsRefusedOutsideReadMode() throws {
        let validate = FileConnector().info.validate
        for mode in ["write", "append", "truncate"] {
            #expect(
                throws: ConnectorConfigError(
                    key: "follow", "only valid with mode read, not '\(mode)'; remove follow or set mode to read")
            ) { try validate(["path": "out.jsonl", "mode": .string(mode), "follow": true]) }
        }
        try validate(["path": "out.jsonl", "mode": "write", "follow": false])
        try validate(["path": "in.jsonl", "follow": true, "poll_ms": 1000])
    }

    @Test func badFollowSettingsNameTheKey() {
        let validate = FileConnector().info.validate
        #expect(throws: ConnectorConfigError(key: "follow", #"expected true or false, got "yes""#)) {
            try validate(["path": "in.jsonl", "follow": "yes"])
        }
        #expect(throws: ConnectorConfigError(key: "poll_ms", "expected an integer in 1...3600000, got 0")) {
            try validate(["path": "in.jsonl", "follow": true, "poll_ms": 0])
        }
        #expect(throws: ConnectorConfigError(key: "poll_ms", #"expected an integer in 1...3600000, got "fast""#)) {
            try validate(["path": "in.jsonl", "follow": true, "poll_ms": "fast"])
        }
    }
}
