import Foundation

/// Runs the built `temblor` executable as a user would, feeding stdin and capturing both outputs.
struct TemblorProcess {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// The executable beside the test bundle (SwiftPM puts products and tests in one directory).
    static let executable: URL = {
        if let explicit = ProcessInfo.processInfo.environment["TEMBLOR_BIN"] {
            return URL(fileURLWithPath: explicit)
        }
        var candidates: [URL] = []
        if let bundle = Bundle.main.executableURL {
            candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("temblor"))
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("temblor"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/temblor"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }()

    /// Runs the executable off Swift's cooperative thread pool: waiting for a process blocks a
    /// thread, and the pool's few threads also run every other test.
    static func run(_ arguments: [String], stdin: Data = Data()) async throws -> Result {
        try await offPool { try runBlocking(arguments, stdin: stdin) }
    }

    static func run(_ arguments: [String], stdin text: String) async throws -> Result {
        try await run(arguments, stdin: Data(text.utf8))
    }

    /// Runs blocking work on a thread of its own.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    continuation.resume(returning: try work())
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    private static func runBlocking(_ arguments: [String], stdin: Data) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Write and read concurrently so that large inputs and outputs cannot deadlock on full pipes.
        let writer = Thread {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: out, stderr: String(decoding: errorData.get(), as: UTF8.self))
    }

}

/// A data box filled by a reader thread and read once it is set.
final class LockedData: @unchecked Sendable {
    // Every access to `data` and `done` holds `lock`, so the box is safe to share between threads.
    private let lock = NSLock()
    private var data = Data()
    private var done = false

    func set(_ value: Data) {
        lock.lock()
        data = value
        done = true
        lock.unlock()
    }

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }

    func get() -> Data {
        lock.lock()
        defer { lock.unlock() }
        return data
    }
}
