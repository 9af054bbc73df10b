/// Why the source coroutine gave control back to the host.
public enum LuaSourceStep: Sendable, Equatable {
    /// It emitted a batch (or yielded on its own): send what it emitted, then resume it.
    case emitted
    /// It called `ctx:sleep(ms)`: send what it emitted, wait, then resume it.
    case sleep(milliseconds: Int)
    /// It called host I/O: perform the request, then resume it with `resumeSource(with:)`.
    case waiting(LuaIORequest)
    /// `source` returned: the plugin produces nothing more, apart from its timers.
    case finished
    /// `source` raised an error (or went over a limit) and cannot be resumed.
    case failed(LuaError)
}
