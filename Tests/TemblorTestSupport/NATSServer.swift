import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `nats-server` of its own for a test (Debian's, installed by scripts/bootstrap.sh), on
/// 127.0.0.1 and free ports, with JetStream storing in a fresh directory. It can be stopped,
/// killed and started again on the same ports and store; the directory goes with the object.
public final class NATSServer: Sendable {
    /// The nats-server binary found, or nil: tests that need it are skipped, saying so.
    public static let binary: String? = find()

    /// Where nats-server is: PATH, /usr/bin, /usr/sbin, /usr/local/bin, ~/.local/bin.
    public static func find() -> String? {
        let environment = ProcessInfo.processInfo.environment
        var directories = (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        directories += ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"]
        if let home = environment["HOME"] { directories += [home + "/.local/bin", home + "/go/bin"] }
        return directories.map { $0 + "/nats-server" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Why a server could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// The client port.
    public let port: Int
    /// The monitoring (HTTP) port.
    public let monitorPort: Int
    /// The route port, for a cluster node.
    public let clusterPort: Int?
    /// The server's name (`-n`, `server_name`).
    public let name: String
    /// The directory of the store, the configuration and the log.
    public let directory: String
    private let arguments: [String]
    private let process = Mutex<Process?>(nil)

    /// `nats://127.0.0.1:<port>`.
    public var url: String { "nats://127.0.0.1:\(port)" }
    /// Where JetStream keeps its data.
    public var storeDirectory: String { directory + "/store" }
    /// Everything the server logged so far, for a failing test's message.
    public var log: String { (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "" }

    init(port: Int, monitorPort: Int, clusterPort: Int?, name: String, directory: String, arguments: [String]) {
        self.port = port
        self.monitorPort = monitorPort
        self.clusterPort = clusterPort
        self.name = name
        self.directory = directory
        self.arguments = arguments
    }

    deinit {
        process.withLock { process in
            if let process, process.isRunning {
                Self.sendSignal(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts a server with `-a 127.0.0.1 -p PORT -m MPORT -n NAME [-js -sd STORE]`, then
    /// `arguments` (`--user`/`--pass`, `--auth`, TLS flags…); `configuration`, if given, is
    /// written to a file passed with `-c` (for what flags cannot say, such as nkey users).
    /// Returns once the server answers its health check.
    public static func start(arguments extra: [String] = [], configuration: String? = nil, jetStream: Bool = true, name: String = "n1") async throws -> NATSServer {
        guard let binary else { throw Failure("nats-server is not installed (scripts/bootstrap.sh installs it)") }
        var lastLog = ""
        // A port found free may be taken by someone else before the server binds it: then the
        // server exits, and this tries other ports.
        for _ in 0..<5 {
            let ports = try freePorts(2)
            let directory = try makeDirectory()
            var arguments = ["-a", "127.0.0.1", "-p", "\(ports[0])", "-m", "\(ports[1])", "-n", name]
            if jetStream { arguments += ["-js", "-sd", directory + "/store"] }
            if let configuration {
                let path = directory + "/server.conf"
                try configuration.write(toFile: path, atomically: true, encoding: .utf8)
                arguments += ["-c", path]
            }
            arguments += extra
            let server = NATSServer(port: ports[0], monitorPort: ports[1], clusterPort: nil, name: name, directory: directory, arguments: arguments)
            try server.launch(binary)
            if await server.waitUntilHealthy(timeout: .seconds(10)) { return server }
            lastLog = server.log
            await server.kill()
        }
        throw Failure("nats-server did not become healthy on any ports tried; its log:\n\(lastLog)")
    }

    /// Whether the process runs.
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// SIGTERM, then SIGKILL after 5 s; returns once the process has exited.
    public func stop() async {
        await signal(SIGTERM, grace: .seconds(5))
    }

    /// SIGKILL: the server goes away without closing anything cleanly.
    public func kill() async {
        await signal(SIGKILL, grace: .seconds(5))
    }

    /// Starts the stopped server again, on the same ports with the same store.
    public func restart() async throws {
        guard let binary = Self.binary else { throw Failure("nats-server is not installed") }
        await stop()
        // The port may linger a moment after a kill; a few tries cover that.
        for _ in 0..<20 {
            try launch(binary)
            if await waitUntilHealthy(timeout: .seconds(10)) { return }
            await kill()
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure("nats-server did not come back on port \(port); its log:\n\(log)")
    }

    func launch(_ binary: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let logPath = directory + "/server.log"
        if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process.withLock { $0 = process }
    }

    private func signal(_ signal: Int32, grace: Duration) async {
        let running: Process? = process.withLock { $0?.isRunning == true ? $0 : nil }
        guard let running else { return }
        Self.sendSignal(running.processIdentifier, signal)
        let deadline = ContinuousClock.now + grace
        while running.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        if running.isRunning {
            Self.sendSignal(running.processIdentifier, SIGKILL)
            while running.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// Polls `/healthz` until it says ok, the process exits, or `timeout` passes.
    func waitUntilHealthy(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard isRunning else { return false }
            if let answer = Self.httpGet(port: monitorPort, path: "/healthz"), answer.status == 200 { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    static func makeDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "temblor-nats-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
