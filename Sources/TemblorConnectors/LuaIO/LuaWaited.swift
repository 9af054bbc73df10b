/// How a bounded wait of a host I/O call ended.
enum LuaWaited<Value: Sendable>: Sendable {
    case value(Value)
    case error(any Error)
    /// The call's timeout passed first.
    case timeout
    /// The calling task was cancelled first.
    case cancelled
}
