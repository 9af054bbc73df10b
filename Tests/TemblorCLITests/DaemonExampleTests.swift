import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// examples/daemon as its systemd unit runs it: the unit's own ExecStart (paths moved into a
/// scratch directory), its ExecReload signal, and its stop signal.
@Suite(.timeLimit(.minutes(2))) struct DaemonExampleTests {
    /// The unit's `KEY=` value.
    func unitValue(_ key: String, in unit: String) -> String? {
        unit.split(separator: "\n").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// The heartbeats written so far: one JSON object per line.
    func beats(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func theSystemdUnitStartsReloadsAndStopsTheDaemon() async throws {
        let example = try ExampleFixtures.copy(example: "daemon").path
        let unit = try String(contentsOfFile: example + "/temblor.service", encoding: .utf8)
        let start = try #require(unitValue("ExecStart", in: unit))
        #expect(unitValue("ExecReload", in: unit) == "/bin/kill -HUP $MAINPID")
        #expect(unitValue("KillSignal", in: unit) == "SIGTERM")
        #expect(unitValue("StateDirectory", in: unit) == "temblor")
        let arguments = start.split(separator: " ").dropFirst().map { argument -> String in
            switch argument {
            case "/etc/temblor/flows": example + "/flows"
            case "/var/lib/temblor": example + "/state"
            case "127.0.0.1:9898": "127.0.0.1:0"
            default: String(argument)
            }
        }
        #expect(arguments.first == "serve")
        let output = example + "/stdout.jsonl"
        let daemon = try await DaemonProcess(arguments, stdout: output)

        #expect(await eventually(within: .seconds(20)) { !beats(output).isEmpty }, "the first heartbeat")
        let first = try #require(beats(output).first)
        #expect(first["service"] as? String == "temblor")
        #expect(first["beat"] as? Int == 1)
        #expect(first["at_ns"] is Int)

        let plugin = example + "/flows/beat.lua"
        let edited = try String(contentsOfFile: plugin, encoding: .utf8)
            .replacingOccurrences(of: "service = ctx.config.service,", with: "service = ctx.config.service, edited = true,")
        try edited.write(toFile: plugin, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(
            await eventually(within: .seconds(20)) { beats(output).contains { $0["edited"] as? Bool == true } },
            "a heartbeat of the reloaded plugin")
        let numbers = beats(output).compactMap { $0["beat"] as? Int }
        #expect(numbers == Array(1...numbers.count), "the count goes on across the reload: \(numbers)")

        let deployed = try await TemblorProcess.run(["flows", "deploy", example + "/ticks.yaml", "--api", daemon.url])
        #expect(deployed.status == 0, "\(deployed.stderr)")
        #expect(deployed.stdoutText.hasPrefix("deployed ticks  running"), "\(deployed.stdoutText)")
        #expect(FileManager.default.fileExists(atPath: example + "/state/ticks.yaml"), "kept in the unit's state directory")
        let paused = try await TemblorProcess.run(["flows", "pause", "ticks", "--api", daemon.url])
        #expect(paused.status == 0 && paused.stdoutText.hasPrefix("paused ticks  paused"), "\(paused.stdoutText) \(paused.stderr)")

        #expect(try await daemon.stop(signal: SIGTERM) == 0, "\(daemon.stderr)")
        #expect(daemon.stderr.contains(#""message":"#), "--log-format json: \(daemon.stderr)")
    }
}
