import CLua

/// A callback (a hook, one `on_event`, a timer function) running in a coroutine of its own, so
/// that it can wait on host I/O: the owner performs the I/O and resumes it with
/// `LuaPlugin.resume(_:with:)`. Only the plugin that made it may resume it.
public final class LuaCall {
    let thread: OpaquePointer
    /// The registry reference that keeps the coroutine alive.
    let reference: Int32
    /// What runs, for error messages ("on_event", "connect", ...).
    public internal(set) var action = ""

    init(thread: OpaquePointer, reference: Int32) {
        self.thread = thread
        self.reference = reference
    }
}

/// Where a callback run in a coroutine stands.
public enum LuaCallStep {
    /// It returned: its first result and, when the second is a string, that (a port).
    case finished(LuaEventResult)
    /// It raised an error or went over a limit.
    case failed(LuaError)
    /// It waits on host I/O: perform the request, then resume it with the result.
    case waiting(LuaCall, LuaIORequest)
}
