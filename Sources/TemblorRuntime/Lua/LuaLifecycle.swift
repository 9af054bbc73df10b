import TemblorLua

/// A Lua connector's lifecycle hooks, mapped one to one onto the plugin's.
struct LuaLifecycle: ConnectorLifecycle {
    let instance: LuaInstance

    func sidesInUse(source: Bool, sink: Bool) async { await instance.setSides(source: source, sink: sink) }
    func connect() async throws -> Bool { try await instance.connect() }
    func onStart() async { await instance.call(.onStart) }
    func onPause() async { await instance.call(.onPause) }
    func onResume() async { await instance.call(.onResume) }
    /// The source side has already called `on_drain` to send what it emits; this only covers
    /// a source side that ended without reaching it.
    func onDrain() async { _ = await instance.drain() }
    func onStop() async {
        await instance.stopRunning()
        await instance.call(.onStop)
    }
}
