import TemblorValue

/// What a host I/O call gives back to the script, as the cosocket convention has it: values on
/// success, `nil, message` on failure.
public enum LuaIOResult: Sendable, Equatable {
    /// The call's results in order. `.bytes` arrive in Lua as plain strings; `.null` as `nil`;
    /// no values at all is a single `nil` (the end of `fs.lines`).
    case values([Value])
    /// `nil, message`: `"timeout"`, `"closed"`, a denied capability, a refused connection...
    case failure(String)

    /// A denied call: the message names what the flow must grant.
    public static func denied(_ message: String) -> LuaIOResult { .failure(message) }
}
