/// A function registered with `ctx:every(ms, fn)`: the host calls it every `intervalMs`.
public struct LuaTimer: Sendable, Equatable {
    /// What `LuaPlugin.fireTimer` takes to call it.
    public var id: Int
    public var intervalMs: Int

    public init(id: Int, intervalMs: Int) {
        self.id = id
        self.intervalMs = intervalMs
    }
}
