/// Why Lua code could not be loaded or run, with Lua's own message (chunk name and line).
public enum LuaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The source does not parse: `plugin.lua:3: '=' expected near 'x'`.
    case syntax(String)
    /// The code raised an error while running.
    case runtime(String)
    /// The state hit its memory limit.
    case outOfMemory(during: String)
    /// A Lua value has no `Value` form (a function, a table nested too deeply).
    case conversion(String)
    /// The callback ran more instructions than its budget (an endless loop, say).
    case instructionLimit(during: String)
    /// The callback ran longer than its wall-clock budget (`limits.time_ms`).
    case timeLimit(during: String)
    /// Text handed to the JSON decoder is not one JSON document; simdjson's message says why.
    case invalidJSON(String)

    /// True for the errors that mean the state went over one of its limits: the state may be
    /// in the middle of something and is restarted rather than trusted with the next event.
    public var isLimit: Bool {
        switch self {
        case .outOfMemory, .instructionLimit, .timeLimit: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .syntax(let message): "syntax error: \(message)"
        case .runtime(let message): "error: \(message)"
        case .outOfMemory(let action): "out of memory while \(action) (raise limits.memory_mb if the plugin needs more)"
        case .conversion(let message): "cannot convert: \(message)"
        case .instructionLimit(let action):
            "instruction limit exceeded while \(action) (an endless loop? raise limits.instructions if the work is legitimate)"
        case .timeLimit(let action):
            "time limit exceeded while \(action) (raise limits.time_ms if the work is legitimate)"
        case .invalidJSON(let message): "invalid JSON: \(message)"
        }
    }
}
