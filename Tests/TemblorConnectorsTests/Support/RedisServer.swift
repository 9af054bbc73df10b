import Foundation
import NIOCore
import NIOPosix

/// A `redis-server` of its own for a test (from Debian, installed by scripts/bootstrap.sh),
/// on 127.0.0.1 and a free port, without persistence; `redis-cli` talks to it.
final class RedisServer: Sendable {
    let port: Int
    private let process: Process

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "redis-server is not installed: run scripts/bootstrap.sh (as root) first" }
    }

    static func start() async throws -> RedisServer {
        guard let binary = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first(where: FileManager.default.isExecutableFile)
        else { throw Missing() }
        // A port found free may be taken by another test before redis-server binds it: then
        // redis-server exits, and this tries another port.
        for _ in 0..<5 {
            let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
            let port = probe.localAddress?.port ?? 0
            try await probe.close()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let server = RedisServer(port: port, process: process)
            for _ in 0..<500 where process.isRunning {
                if (try? server.cli("PING")) == ["PONG"] { return server }
                try await Task.sleep(for: .milliseconds(10))
            }
            server.stop()
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "redis-server did not answer on any port tried"])
    }

    /// Runs one command with `redis-cli` and returns its output lines (raw replies).
    func cli(_ arguments: String...) throws -> [String] {
        let process = Process()
        // Bounded: a server that is not redis (another test's, on a reused port) never answers.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["5", "/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", "\(port)"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Reading to the end waits for redis-cli to exit (it closes its output then).
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Shuts the server down, waiting at most 5 s before killing it.
    func stop() {
        _ = try? cli("SHUTDOWN", "NOSAVE")
        for _ in 0..<500 where process.isRunning {
            usleep(10_000)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
