import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `temblor serve` and `temblor flows` as an operator runs them: separate processes over loopback.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ServeCommandTests {
    let ticking = """
        connectors:
          tick: { type: metronome, config: { interval_ms: 10 } }
          sink: { type: blackhole }
        links: [tick -> sink]

        """

    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/flows", withIntermediateDirectories: true)
        return dir
    }

    func flows(_ arguments: [String], _ daemon: DaemonProcess) async throws -> TemblorProcess.Result {
        try await TemblorProcess.run(["flows"] + arguments + ["--api", daemon.url])
    }

    /// GET `path` of the daemon, parsed as JSON.
    func get(_ daemon: DaemonProcess, _ path: String, token: String? = nil) async throws -> (Int, Any?) {
        var request = URLRequest(url: URL(string: daemon.url + path)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, try? JSONSerialization.jsonObject(with: data))
    }

    @Test func serveRunsItsFlowsAndKeepsDeployedOnesAcrossARestart() async throws {
        let dir = try directory()
        try ticking.write(toFile: dir + "/flows/ticks.yaml", atomically: true, encoding: .utf8)
        try ticking.write(toFile: dir + "/extra.yaml", atomically: true, encoding: .utf8)
        try "connectors:\n  x: { type: metronom }\nlinks: []\n".write(toFile: dir + "/typo.yaml", atomically: true, encoding: .utf8)
        let arguments = ["serve", "--api", "127.0.0.1:0", "--flows", dir + "/flows", "--state", dir + "/state"]
        let daemon = try await DaemonProcess(arguments)

        let table = try await flows(["list"], daemon)
        #expect(table.status == 0, "\(table.stderr)")
        let header = table.stdoutText.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.hasPrefix("ID") && header.contains("STATUS") && header.contains("IN"), "\(table.stdoutText)")
        #expect(table.stdoutText.contains("ticks") && table.stdoutText.contains("running"), "\(table.stdoutText)")

        let deployed = try await flows(["deploy", dir + "/extra.yaml"], daemon)
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/state/extra.yaml"))
        #expect(try await flows(["pause", "extra"], daemon).status == 0)
        let json = try await flows(["list", "--json"], daemon)
        #expect(json.status == 0)
        let listed = try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]] ?? []
        #expect(Set(listed.compactMap { $0["id"] as? String }) == ["ticks", "extra"])
        #expect(listed.first { $0["id"] as? String == "extra" }?["status"] as? String == "paused")
        #expect(try await flows(["resume", "extra"], daemon).status == 0)
        let reload = try await flows(["reload"], daemon)
        #expect(reload.status == 0, "\(reload.stderr)")

        // Refusals exit 1 with the daemon's reason; bad usage exits 2 before asking.
        let invalid = try await flows(["deploy", dir + "/typo.yaml"], daemon)
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("typo.yaml:2:"), "\(invalid.stderr)")
        let taken = try await flows(["deploy", dir + "/extra.yaml"], daemon)
        #expect(taken.status == 1)
        #expect(taken.stderr.contains("deployed already"), "\(taken.stderr)")
        let unknown = try await flows(["stop", "nobody"], daemon)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("nobody"), "\(unknown.stderr)")
        #expect(try await flows(["pause"], daemon).status == 2)
        #expect(try await flows(["pause", "../up"], daemon).status == 2)
        #expect(try await TemblorProcess.run(["flows", "frobnicate"]).status == 2)
        #expect(try await flows(["deploy", dir + "/missing.yaml"], daemon).status == 2)
        let (ready, _) = try await get(daemon, "/readyz")
        #expect(ready == 200)

        #expect(try await daemon.stop() == 0, "\(daemon.stderr)")

        // The flow deployed over the API comes back; the one of --flows too.
        let again = try await DaemonProcess(arguments)
        let after = try await flows(["list", "--json"], again)
        let ids = (try JSONSerialization.jsonObject(with: after.stdout) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(Set(ids) == ["ticks", "extra"])
        // Stopping a flow forgets it for good.
        let stopped = try await flows(["stop", "extra"], again)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/state/extra.yaml"))
        #expect(try await again.stop(signal: SIGINT) == 0, "\(again.stderr)")
        // Nobody listening: the client fails, saying where it tried.
        let asked = ContinuousClock.now
        let gone = try await TemblorProcess.run(["flows", "list", "--api", again.url])
        #expect(ContinuousClock.now - asked < .seconds(10), "the client kept retrying a daemon that is not there")
        #expect(gone.status == 1)
        #expect(gone.stderr.contains(again.address), "\(gone.stderr)")
    }

    @Test func serveRefusesWhatCannotWork() async throws {
        let dir = try directory()
        let open = try await TemblorProcess.run(["serve", "--api", "0.0.0.0:0"])
        #expect(open.status == 2)
        #expect(open.stderr.contains("--api-token-file"), "\(open.stderr)")
        try "connectors:\n  x: { type: metronom }\nlinks: []\n".write(toFile: dir + "/flows/typo.yaml", atomically: true, encoding: .utf8)
        let invalid = try await TemblorProcess.run(["serve", "--api", "127.0.0.1:0", "--flows", dir + "/flows"])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("typo.yaml:2:"), "\(invalid.stderr)")
        let missing = try await TemblorProcess.run(["serve", "--api", "127.0.0.1:0", "--flows", dir + "/flow"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--flows: \(dir)/flow is not a directory"), "\(missing.stderr)")
        let badAddress = try await TemblorProcess.run(["serve", "--api", "localhost"])
        #expect(badAddress.status == 2)
        try "".write(toFile: dir + "/empty-token", atomically: true, encoding: .utf8)
        let empty = try await TemblorProcess.run(["serve", "--api", "127.0.0.1:0", "--api-token-file", dir + "/empty-token"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("empty"), "\(empty.stderr)")
    }

    @Test func aTakenAddressIsNamedWithItsReason() async throws {
        let first = try await DaemonProcess(["serve", "--api", "127.0.0.1:0"])
        let second = try await TemblorProcess.run(["serve", "--api", first.address])
        #expect(second.status == 1)
        #expect(second.stderr.contains("the API cannot listen on \(first.address): Address already in use"), "\(second.stderr)")
        let dir = try directory()
        try ticking.write(toFile: dir + "/ticks.yaml", atomically: true, encoding: .utf8)
        let run = try await TemblorProcess.run(["run", dir + "/ticks.yaml", "--api", first.address, "--control", "none"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("the API cannot listen on \(first.address): Address already in use"), "\(run.stderr)")
        #expect(try await first.stop() == 0)
    }

    @Test func aTokenGuardsTheApiAndTheClientSendsIt() async throws {
        let dir = try directory()
        try "s3cret\n".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try ticking.write(toFile: dir + "/flows/ticks.yaml", atomically: true, encoding: .utf8)
        // With a token, any address may be used; the test stays on loopback.
        let daemon = try await DaemonProcess(["serve", "--api", "127.0.0.1:0", "--flows", dir + "/flows", "--api-token-file", dir + "/token"])
        let refused = try await flows(["list"], daemon)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("Bearer"), "\(refused.stderr)")
        let listed = try await TemblorProcess.run(["flows", "list", "--api", daemon.url, "--token-file", dir + "/token"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdoutText.contains("ticks"))
        #expect(try await get(daemon, "/healthz").0 == 200)
        #expect(try await get(daemon, "/metrics").0 == 401)
        #expect(try await get(daemon, "/metrics", token: "s3cret").0 == 200)
        #expect(try await daemon.stop() == 0)
    }

    @Test func sighupReloadsThePluginsOfEveryFlow() async throws {
        let dir = try directory()
        let plugin = { (tag: String) in
            "return { api = 1, on_event = function(ctx, event, meta) event.tag = \"\(tag)\"; ctx:emit(event, meta) end }\n"
        }
        try plugin("one").write(toFile: dir + "/flows/tag.lua", atomically: true, encoding: .utf8)
        try """
            connectors:
              tick: { type: metronome, config: { interval_ms: 10 } }
              tag: { type: lua, plugin: tag.lua }
              sink: { type: blackhole }
            links: [tick -> tag, tag -> sink]

            """.write(toFile: dir + "/flows/tagged.yaml", atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(["serve", "--api", "127.0.0.1:0", "--flows", dir + "/flows"])
        func reloads() async throws -> Int? {
            let detail = try await get(daemon, "/v1/flows/tagged").1 as? [String: Any]
            return (detail?["plugins"] as? [[String: Any]])?.first?["reloads"] as? Int
        }
        #expect(try await reloads() == 0)
        try plugin("two").write(toFile: dir + "/flows/tag.lua", atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        let deadline = ContinuousClock.now + .seconds(10)
        while try await reloads() != 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await reloads() == 1)
        let flows = try await get(daemon, "/v1/flows").1 as? [[String: Any]]
        #expect(flows?.first?["status"] as? String == "running", "SIGHUP must not end the daemon")
        #expect(try await daemon.stop() == 0)
    }

    @Test func runWithAnApiServesItsOneFlow() async throws {
        let dir = try directory()
        try ticking.write(toFile: dir + "/ticks.yaml", atomically: true, encoding: .utf8)
        let daemon = try await DaemonProcess(["run", dir + "/ticks.yaml", "--api", "127.0.0.1:0"], marker: "API listening on http://")
        let list = try await flows(["list", "--json"], daemon)
        #expect(list.status == 0, "\(list.stderr)")
        let listed = try JSONSerialization.jsonObject(with: list.stdout) as? [[String: Any]] ?? []
        #expect(listed.map { $0["id"] as? String } == ["ticks"])
        #expect(listed.first?["status"] as? String == "running")
        #expect(try await get(daemon, "/metrics").0 == 200)
        #expect(try await daemon.stop() == 0, "\(daemon.stderr)")
    }
}
