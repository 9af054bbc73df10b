import Foundation
import Testing
import TemblorDaemon
import TemblorRuntime

/// Several flows in one registry: deployed from YAML, listed with their counts, stopped with
/// their final report, refused with the reason when they cannot run.
@Suite(.timeLimit(.minutes(1))) struct FlowRegistryTests {
    let ticking = """
        connectors:
          tick: { type: metronome, config: { interval_ms: 5 } }
          sink: { type: blackhole }
        links: [tick -> sink]
        """

    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-daemon-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func waitUntil(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func flowsRunSideBySideAndStopWithTheirFinalCounts() async throws {
        let registry = FlowRegistry()
        let dir = try directory()
        let a = try await registry.deploy(id: "a", yaml: ticking, directory: dir)
        #expect(a.status == .running)
        #expect(a.nodes == ["tick", "sink"])
        _ = try await registry.deploy(id: "b-2", yaml: ticking, directory: dir)
        try await waitUntil {
            let a = try await registry.summary("a").counts.acked
            let b = try await registry.summary("b-2").counts.acked
            return a >= 5 && b >= 5
        }
        #expect(await registry.list().map(\.id) == ["a", "b-2"])
        let report = try await registry.stop("a")
        #expect(report.produced >= 5)
        #expect(report.acked == report.produced)
        #expect(report.failed == 0)
        // The other flow goes on.
        let b = try await registry.summary("b-2")
        #expect(b.status == .running)
        #expect(await registry.list().map(\.id) == ["b-2"])
        await registry.stopAll()
        #expect(await registry.list().isEmpty)
    }

    @Test func aFiniteFlowEndsAsStoppedWithEverythingDelivered() async throws {
        let registry = FlowRegistry()
        let dir = try directory()
        try "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n".write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        _ = try await registry.deploy(id: "copy", yaml: """
            connectors:
              in: { type: file, config: { path: in.jsonl } }
              out: { type: file, config: { path: out.jsonl, mode: truncate } }
            links: [in -> out]
            """, directory: dir)
        try await waitUntil { try await registry.summary("copy").status == .stopped }
        let summary = try await registry.summary("copy")
        #expect(summary.counts == ContraflowRouter.Counts(produced: 3, acked: 3, failed: 0))
        #expect(try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n")
        #expect(try await registry.stop("copy") == FlowReport(produced: 3, acked: 3, failed: 0))
    }

    @Test func refusalsSayWhy() async throws {
        let registry = FlowRegistry()
        let dir = try directory()
        _ = try await registry.deploy(id: "one", yaml: ticking, directory: dir)
        await #expect {
            _ = try await registry.deploy(id: "one", yaml: ticking, directory: dir)
        } throws: { error in
            guard case FlowRegistryError.idTaken("one") = error else { return false }
            return "\(error)".contains("deployed already")
        }
        await #expect {
            _ = try await registry.deploy(id: "../etc", yaml: ticking, directory: dir)
        } throws: { error in
            if case FlowRegistryError.badId = error { return true } else { return false }
        }
        await #expect {
            _ = try await registry.deploy(id: "typo", yaml: "connectors:\n  x: { type: metronom }\nlinks: []\n", directory: dir)
        } throws: { error in
            // The error names the file, line and column, and suggests the type meant.
            guard case FlowRegistryError.invalid = error else { return false }
            return "\(error)".contains("typo.yaml:2:") && "\(error)".contains("metronome")
        }
        await #expect {
            _ = try await registry.stop("nobody")
        } throws: { error in
            if case FlowRegistryError.unknown("nobody") = error { return true } else { return false }
        }
        #expect(await registry.list().map(\.id) == ["one"])
        await registry.stopAll()
    }
}

@Suite(.timeLimit(.minutes(1))) struct FlowRegistryPauseTests {
    @Test func aPausedFlowHoldsItsSourcesAndDeliversEverythingOnceResumed() async throws {
        let registry = FlowRegistry()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-daemon-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let lines = (1...20_000).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n"
        try lines.write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        _ = try await registry.deploy(id: "copy", yaml: """
            connectors:
              in: { type: file, config: { path: in.jsonl, chunk_size: 256 } }
              out: { type: file, config: { path: out.jsonl, mode: truncate } }
            links: [in -> out]
            """, directory: dir)
        let paused = try await registry.setPaused("copy", true)
        #expect(paused.status == .paused)
        // What was in flight drains; then nothing more is produced while paused.
        let drained = ContinuousClock.now + .seconds(10)
        while try await registry.summary("copy").counts.pending > 0, ContinuousClock.now < drained {
            try await Task.sleep(for: .milliseconds(20))
        }
        let held = try await registry.summary("copy").counts
        try await Task.sleep(for: .milliseconds(300))
        let later = try await registry.summary("copy").counts
        #expect(later.produced == held.produced)
        #expect(later.pending == 0)
        #expect(held.produced < 20_000, "the flow finished before the pause took hold; the test needs a longer input")
        #expect(try await registry.setPaused("copy", false).status == .running)
        let deadline = ContinuousClock.now + .seconds(20)
        while try await registry.summary("copy").status != .stopped, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await registry.stop("copy") == FlowReport(produced: 20_000, acked: 20_000, failed: 0))
        #expect(try String(contentsOfFile: dir + "/out.jsonl", encoding: .utf8) == lines)
        await #expect {
            _ = try await registry.setPaused("copy", true)
        } throws: { error in
            if case FlowRegistryError.unknown = error { return true } else { return false }
        }
    }
}
