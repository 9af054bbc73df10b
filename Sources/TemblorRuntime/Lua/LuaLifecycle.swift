import TemblorLua

/// A Lua connector's lifecycle hooks, mapped one to one onto the plugin's.
struct LuaLifecycle: ConnectorLifecycle {
    let instance: LuaInstance

    func sidesInUse(source: Bool, sink: Bool) async { await instance.setSides(source: source, sink: sink) }
    func connect() async throws -> Bool { try await instance.connect() }
    func onStart() async { await instance.call(.onStart) }
    func onPause() async { await instance.call(.onPause) }
    func onResume() async { await instance.call(.onResume) }
    func onDrain() async { await instance.call(.onDrain) }
    func onStop() async {
        await instance.stopRunning()
        await instance.call(.onStop)
    }
}
