import TemblorValue

/// What one plugin state may use, from the flow's `limits:` (DESIGN §3).
public struct LuaLimits: Sendable, Equatable {
    /// Bytes the state may hold; past it, allocations fail and the callback with them.
    public var memory: Int
    /// Lua instructions one callback (a hook, one event, one resume of the source) may run.
    public var instructions: Int
    /// Wall-clock milliseconds one callback may run before the watchdog interrupts it.
    public var timeMs: Int
    /// Sockets (TCP and UDP) the state may have open at once.
    public var sockets: Int
    /// Files the state may hold open at once (`temblor.fs.lines` readers).
    public var files: Int
    /// Bytes the host may hold for the state's I/O at once: received and not yet read, the
    /// largest file `temblor.fs.read` reads, the largest HTTP body.
    public var ioBuffer: Int
    /// How long one host I/O call waits when the script gives no `timeout_ms` of its own.
    public var ioTimeoutMs: Int

    public init(
        memory: Int = 32 << 20, instructions: Int = 10_000_000, timeMs: Int = 1_000, sockets: Int = 16, files: Int = 16,
        ioBuffer: Int = 16 << 20, ioTimeoutMs: Int = 30_000
    ) {
        self.memory = memory
        self.instructions = instructions
        self.timeMs = timeMs
        self.sockets = sockets
        self.files = files
        self.ioBuffer = ioBuffer
        self.ioTimeoutMs = ioTimeoutMs
    }

    /// The keys `init(_:)` reads.
    public static let keys = ["memory_mb", "instructions", "time_ms", "sockets", "files", "io_buffer_kb", "io_timeout_ms"]

    /// Reads `{ memory_mb, instructions, time_ms, sockets, files, io_buffer_kb, io_timeout_ms }`,
    /// each optional; a message names a bad key.
    public init(_ value: Value) throws(LuaConfigError) {
        self.init()
        guard case .object(let object) = value else {
            if value.isNull { return }
            throw LuaConfigError(key: "limits", "expected a mapping such as { memory_mb: 32, instructions: 10000000 }")
        }
        for (key, raw) in object {
            let range: ClosedRange<Int64>
            switch key {
            case "memory_mb": range = 1...65_536
            case "instructions": range = 1_000...Int64(Int32.max)
            case "time_ms", "io_timeout_ms": range = 1...3_600_000
            case "sockets", "files": range = 0...65_536
            case "io_buffer_kb": range = 1...4_194_304
            default:
                throw LuaConfigError(key: "limits.\(key)", "unknown limit; known limits are \(Self.keys.joined(separator: ", "))")
            }
            guard let n = raw.intValue, range.contains(n) else {
                throw LuaConfigError(key: "limits.\(key)", "expected an integer in \(range.lowerBound)...\(range.upperBound), got \(raw)")
            }
            switch key {
            case "memory_mb": memory = Int(n) << 20
            case "instructions": instructions = Int(n)
            case "sockets": sockets = Int(n)
            case "files": files = Int(n)
            case "io_buffer_kb": ioBuffer = Int(n) << 10
            case "io_timeout_ms": ioTimeoutMs = Int(n)
            default: timeMs = Int(n)
            }
        }
    }
}

/// A Lua connector or operator setting that cannot work, naming the key and what to change.
public struct LuaConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "'\(key)': \(message)" }
}
