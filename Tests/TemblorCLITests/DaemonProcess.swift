import Foundation

/// A `temblor serve` (or `temblor run --api`) process kept running while a test talks to it:
/// started on port 0, its address read from the line it prints once listening.
final class DaemonProcess: @unchecked Sendable {
    // `process` and the pipes are set once in `init`; `output` is guarded by `lock`, filled by
    // the reader thread and read by the test task.
    private let process = Process()
    private let errors = Pipe()
    private let lock = NSLock()
    private var output = ""
    private var closed = false
    /// The API's base URL, `http://127.0.0.1:PORT`.
    private(set) var url = ""

    struct NotListening: Error, CustomStringConvertible {
        var stderr: String
        var status: Int32?
        var description: String { "the daemon did not listen (exit \(status.map(String.init) ?? "none")): \(stderr)" }
    }

    /// Starts `temblor ARGUMENTS` and waits until it prints `marker` followed by its URL; its
    /// standard output goes to the file `stdout` when given.
    init(_ arguments: [String], marker: String = "listening on http://", directory: String? = nil, stdout: String? = nil) async throws {
        process.executableURL = TemblorProcess.executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        if let stdout {
            FileManager.default.createFile(atPath: stdout, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = errors
        try process.run()
        let handle = errors.fileHandleForReading
        Thread { [self] in
            while true {
                let data = handle.availableData
                lock.lock()
                if data.isEmpty { closed = true } else { output += String(decoding: data, as: UTF8.self) }
                lock.unlock()
                if data.isEmpty { break }
            }
        }.start()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let (text, ended) = snapshot()
            if let range = text.range(of: marker) {
                let rest = text[range.upperBound...].prefix { !$0.isWhitespace && $0 != "\"" }
                url = "http://" + rest
                return
            }
            if ended { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let (text, _) = snapshot()
        if process.isRunning { process.terminate() }
        throw NotListening(stderr: text, status: process.isRunning ? nil : process.terminationStatus)
    }

    private func snapshot() -> (String, Bool) {
        lock.lock()
        defer { lock.unlock() }
        return (output, closed)
    }

    /// What the process wrote to stderr so far.
    var stderr: String { snapshot().0 }

    /// The address after `http://`, for `--api`.
    var address: String { String(url.dropFirst("http://".count)) }

    /// The process's id.
    var pid: Int32 { process.processIdentifier }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Sends SIGTERM and returns the exit status once the process ended.
    func stop(signal number: Int32 = SIGTERM) async throws -> Int32 {
        signal(number)
        return try await TemblorProcess.offPool { [self] in
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
