import TemblorLua
import TemblorValue

/// When a Lua plugin's state is restarted and when it is given up on (DESIGN §3: faults are
/// contained), from the connector's `limits:` keys beside the resource limits.
struct LuaFaultPolicy: Sendable {
    /// Errors in a row that restart the state (a limit restarts it at once).
    var maxConsecutiveErrors = 10
    /// Restarts in a row after which the plugin is stopped.
    var maxRestarts = 5
    /// The first restart's delay, doubled at each restart up to `maxBackoffMs`.
    var initialBackoffMs = 100
    var maxBackoffMs = 30_000
    /// Successful calls after which a restarted plugin counts as healthy again.
    var successesToForgive = 100

    /// The flow's `limits:` keys this policy reads; the rest are resource limits.
    static let keys = ["max_errors", "max_restarts", "backoff_ms", "max_backoff_ms"]

    init() {}

    /// Reads `max_errors`, `max_restarts`, `backoff_ms` and `max_backoff_ms` from `limits`.
    init(_ limits: Value) throws(LuaConfigError) {
        guard case .object(let object) = limits else { return }
        for key in Self.keys {
            guard let raw = object[key] else { continue }
            guard let n = raw.intValue, n >= 0, n <= 3_600_000 else {
                throw LuaConfigError(key: "limits.\(key)", "expected a non-negative integer, got \(raw)")
            }
            switch key {
            case "max_errors": maxConsecutiveErrors = max(1, Int(n))
            case "max_restarts": maxRestarts = Int(n)
            case "backoff_ms": initialBackoffMs = max(1, Int(n))
            default: maxBackoffMs = max(1, Int(n))
            }
        }
    }

    /// `limits` without this policy's keys, for `LuaLimits`.
    static func resourceLimits(_ limits: Value) -> Value {
        guard case .object(var object) = limits else { return limits }
        for key in keys { object[key] = nil }
        return .object(object)
    }
}
