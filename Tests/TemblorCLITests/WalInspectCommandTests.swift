import Foundation
import Testing

@Suite struct WalInspectCommandTests {
    @Test func showsSegmentsRecordsAndTheOldestUnacknowledgedRecord() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-wal-inspect-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "{\"n\":1,\"msg\":\"first\"}\n{\"n\":2}\n{\"n\":3}\n".write(toFile: dir + "/in.jsonl", atomically: true, encoding: .utf8)
        // Nothing reads the wal's out: the three events stay in it, acknowledged upstream.
        try """
        connectors:
          in: { type: file, config: { path: in.jsonl } }
          spool: { type: wal, config: { path: spool } }
        links:
          - in -> spool
        """.write(toFile: dir + "/store.yaml", atomically: true, encoding: .utf8)
        let run = try await TemblorProcess.run(["run", dir + "/store.yaml", "--control", "none"])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try await TemblorProcess.run(["wal", "inspect", dir + "/spool"])
        #expect(text.status == 0)
        #expect(text.stdoutText.contains("segments: 1, records: 3"), "\(text.stdoutText)")
        #expect(text.stdoutText.contains("acknowledged through: 0, unacknowledged records: 3"))
        #expect(text.stdoutText.contains("00000000000000000001.seg"))
        #expect(text.stdoutText.contains("oldest unacknowledged: record 1:"))
        #expect(text.stdoutText.contains("\"msg\":\"first\""))
        let json = try await TemblorProcess.run(["wal", "inspect", dir + "/spool", "--json"])
        let report = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        #expect(report["records"] as? Int == 3)
        #expect(report["unacknowledged"] as? Int == 3)
        let oldest = report["oldest_unacknowledged"] as? [String: Any]
        #expect(oldest?["sequence"] as? Int == 1)
        #expect(((oldest?["event"] as? [String: Any])?["payload"] as? [String: Any])?["n"] as? Int == 1)
    }

    @Test func aDirectoryThatIsNoWalIsAClearError() async throws {
        let result = try await TemblorProcess.run(["wal", "inspect", "/nonexistent/temblor-wal"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("temblor wal inspect: list /nonexistent/temblor-wal: No such file or directory"), "\(result.stderr)")
    }
}
