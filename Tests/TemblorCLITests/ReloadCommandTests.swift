#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `temblor reload` against no daemon, and against a running flow through its control socket,
/// with SIGHUP and SIGTERM sent to the daemon.
@Suite struct ReloadCommandTests {

    @Test func noDaemonIsExitStatusTwoNamingTheSocket() async throws {
        let result = try await TemblorProcess.run(["reload", "--control", "/nonexistent/temblor.sock"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("no temblor daemon answers on /nonexistent/temblor.sock"), "\(result.stderr)")
        #expect(result.stdoutText.isEmpty)
    }

    @Test func aDisabledControlSocketIsExitStatusTwo() async throws {
        let result = try await TemblorProcess.run(["reload", "--control", "none"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--control PATH"), "\(result.stderr)")
    }

    @Test func aRunningFlowReloadsOnRequestAndOnSighupThenStopsCleanly() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
            connectors:
              tick:
                type: metronome
                config: { interval_ms: 10 }
              relay:
                type: lua
                plugin: relay.lua
              out:
                type: file
                config: { path: ticks.jsonl, mode: truncate }
            links:
              - tick -> relay
              - relay -> out

            """.write(to: dir.appendingPathComponent("flow.yaml"), atomically: true, encoding: .utf8)
        try """
            return {
              api = 1,
              name = "relay",
              on_event = function(ctx, event, meta) ctx:emit(event, meta) end,
            }

            """.write(to: dir.appendingPathComponent("relay.lua"), atomically: true, encoding: .utf8)
        let socket = dir.appendingPathComponent("c.sock").path
        let errors = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)

        let process = Process()
        process.executableURL = TemblorProcess.executable
        process.arguments = ["run", "--stats", "--control", socket, dir.appendingPathComponent("flow.yaml").path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let log = { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

        // Events flow through the Lua connector and the socket is there.
        #expect(await eventually {
            let written = (try? String(contentsOf: dir.appendingPathComponent("ticks.jsonl"), encoding: .utf8)) ?? ""
            return written.split(separator: "\n").count >= 5 && FileManager.default.fileExists(atPath: socket)
        }, "\(log())")

        let reload = try await TemblorProcess.run(["reload", "--control", socket])
        #expect(reload.status == 0, "\(reload.stderr)")
        let lines = reload.stdoutText.split(separator: "\n")
        #expect(lines.count == 2, "\(reload.stdoutText)")
        #expect(lines.first?.hasPrefix("relay: ") == true, "\(reload.stdoutText)")
        #expect(lines.last == "ok 0 swapped, 1 unchanged, 0 failed", "\(reload.stdoutText)")

        // An edit saved the way editors do (a new file renamed over the old) is picked up.
        try """
            return {
              api = 1,
              name = "relay",
              on_event = function(ctx, event, meta) event.v = 2; ctx:emit(event, meta) end,
            }

            """.write(to: dir.appendingPathComponent("relay.lua"), atomically: true, encoding: .utf8)
        #expect(await eventually { log().contains("relay: reloaded") }, "\(log())")
        #expect(await eventually {
            ((try? String(contentsOf: dir.appendingPathComponent("ticks.jsonl"), encoding: .utf8)) ?? "").contains("\"v\":2")
        })

        // A broken version is refused, the running one stays, and `temblor reload` says so.
        try "return {".write(to: dir.appendingPathComponent("relay.lua"), atomically: true, encoding: .utf8)
        #expect(await eventually { log().contains("relay: reload of") }, "\(log())")
        let refused = try await TemblorProcess.run(["reload", "--control", socket])
        #expect(refused.status == 1, "\(refused.stdoutText)\(refused.stderr)")
        #expect(refused.stdoutText.hasPrefix("relay: reload of "), "\(refused.stdoutText)")
        #expect(refused.stdoutText.hasSuffix("ok 0 swapped, 0 unchanged, 1 failed\n"), "\(refused.stdoutText)")

        // SIGHUP reloads and the run goes on.
        kill(process.processIdentifier, SIGHUP)
        #expect(await eventually { log().contains("SIGHUP: reloading every plugin") }, "\(log())")
        #expect(process.isRunning)
        let again = try await TemblorProcess.run(["reload", "--control", socket])
        #expect(again.status == 1, "\(again.stderr)")

        process.terminate()  // SIGTERM
        let status = try await TemblorProcess.offPool { () -> Int32 in
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(status == 0, "\(log())")
        #expect(log().contains(", failed 0"), "\(log())")
        // One version was swapped in; the broken one was refused each time it was asked for.
        #expect(log().contains(#"temblor_lua_reloads_total{node="relay"} 1"#), "\(log())")
        #expect(log().contains(#"temblor_lua_reload_failures_total{node="relay"}"#), "\(log())")
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket file outlived the run")
    }

    @Test func connectionsThatSendNothingNeitherDisturbNorCrashTheDaemon() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
            connectors:
              tick: { type: metronome, config: { interval_ms: 10 } }
              relay: { type: lua, plugin: relay.lua }
              out: { type: file, config: { path: ticks.jsonl, mode: truncate } }
            links:
              - tick -> relay
              - relay -> out

            """.write(to: dir.appendingPathComponent("flow.yaml"), atomically: true, encoding: .utf8)
        try "return { api = 1, on_event = function(ctx, event) ctx:emit(event) end }\n"
            .write(to: dir.appendingPathComponent("relay.lua"), atomically: true, encoding: .utf8)
        let socket = dir.appendingPathComponent("c.sock").path
        let errors = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = TemblorProcess.executable
        process.arguments = ["run", "--control", socket, dir.appendingPathComponent("flow.yaml").path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let log = { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }
        #expect(await eventually { FileManager.default.fileExists(atPath: socket) }, "\(log())")

        // What another daemon does to see whether this one answers: connect, then leave. Some
        // of these are still queued when the run stops.
        for _ in 0..<20 { Self.connectAndLeave(socket) }
        let reload = try await TemblorProcess.run(["reload", "--control", socket])
        #expect(reload.status == 0, "\(reload.stderr)")
        for _ in 0..<20 { Self.connectAndLeave(socket) }
        process.terminate()  // SIGTERM
        let status = try await TemblorProcess.offPool { () -> Int32 in
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(status == 0, "\(log())")
        #expect(!log().contains("request failed") && !log().contains("Fatal error"), "\(log())")
    }

    /// Connects to the Unix socket at `path` and closes the connection without a word.
    static func connectAndLeave(_ path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            let bytes = Array(path.utf8.prefix(buffer.count - 1))
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    @Test func aStaleSocketFileIsReplacedAndAnotherFileKept() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-stale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let socket = dir.appendingPathComponent("c.sock").path
        // A socket file nobody listens on, as a daemon killed with SIGKILL leaves it.
        let fd = Foundation.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(socket.utf8) + [0])
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(fd)
        #expect(FileManager.default.fileExists(atPath: socket))
        try """
            connectors:
              in:
                type: file
                config: { path: in.jsonl, mode: read }
              out:
                type: file
                config: { path: out.jsonl, mode: truncate }
            links:
              - in -> out

            """.write(to: dir.appendingPathComponent("flow.yaml"), atomically: true, encoding: .utf8)
        try "{\"a\":1}\n".write(to: dir.appendingPathComponent("in.jsonl"), atomically: true, encoding: .utf8)
        let run = try await TemblorProcess.run(["run", "--control", socket, dir.appendingPathComponent("flow.yaml").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: socket))

        // A file that is not a socket is never replaced.
        try "keep".write(toFile: socket, atomically: false, encoding: .utf8)
        let refused = try await TemblorProcess.run(["run", "--control", socket, dir.appendingPathComponent("flow.yaml").path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("not a socket"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: socket, encoding: .utf8) == "keep")
    }
}
