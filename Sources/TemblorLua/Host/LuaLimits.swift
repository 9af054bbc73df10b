import TemblorValue

/// What one plugin state may use, from the flow's `limits:` (DESIGN §3).
public struct LuaLimits: Sendable, Equatable {
    /// Bytes the state may hold; past it, allocations fail and the callback with them.
    public var memory: Int
    /// Lua instructions one callback (a hook, one event, one resume of the source) may run.
    public var instructions: Int
    /// Wall-clock milliseconds one callback may run before the watchdog interrupts it.
    public var timeMs: Int

    public init(memory: Int = 32 << 20, instructions: Int = 10_000_000, timeMs: Int = 1_000) {
        self.memory = memory
        self.instructions = instructions
        self.timeMs = timeMs
    }

    /// Reads `{ memory_mb, instructions, time_ms }`, each optional; a message names a bad key.
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
            case "time_ms": range = 1...3_600_000
            default:
                throw LuaConfigError(key: "limits.\(key)", "unknown limit; known limits are memory_mb, instructions, time_ms")
            }
            guard let n = raw.intValue, range.contains(n) else {
                throw LuaConfigError(key: "limits.\(key)", "expected an integer in \(range.lowerBound)...\(range.upperBound), got \(raw)")
            }
            switch key {
            case "memory_mb": memory = Int(n) << 20
            case "instructions": instructions = Int(n)
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
