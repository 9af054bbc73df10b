import TemblorLua
import TemblorValue

/// Callbacks of a plugin granted host I/O run in coroutines: when one waits, the instance
/// performs the I/O (other callbacks of the same state may run meanwhile, as with OpenResty's
/// cosockets) and resumes it with the results. What each callback emits is taken right after
/// each of its steps, so that callbacks running in turn never take each other's events.
extension LuaInstance {
    /// Calls `hook`: directly for a plugin without grants, in a coroutine otherwise. What the
    /// hook emits stays with the plugin, for the caller to take as before.
    @discardableResult
    func run(_ hook: LuaHook, on plugin: LuaPlugin, _ arguments: [Value] = []) async throws(LuaError) -> Value {
        if plugin.capabilities.isEmpty { return try plugin.call(hook, arguments) }
        let (result, emissions) = await complete(plugin.begin(hook, arguments), on: plugin)
        plugin.emissions += emissions
        switch result {
        case .success(let returned): return returned.value ?? .null
        case .failure(let error): throw error
        }
    }

    /// Drives a callback to its end: performs each host I/O call it waits on and resumes it.
    func complete(_ first: LuaCallStep, on plugin: LuaPlugin) async -> (Result<LuaEventResult, LuaError>, [LuaEmission]) {
        let state = generation
        var step = first
        var emissions = plugin.emissions
        plugin.emissions = []
        activeWaits += 1
        defer { waitEnded() }
        while true {
            await closeHandles(of: plugin)
            switch step {
            case .finished(let result):
                return (.success(result), emissions)
            case .failed(let error):
                return (.failure(error), emissions)
            case .waiting(let call, let request):
                let result = await perform(request, for: plugin)
                guard generation == state else {
                    plugin.abandon(call)
                    return (.failure(.runtime("the state was restarted while \(call.action) waited on host I/O")), emissions)
                }
                step = plugin.resume(call, with: result)
                emissions += plugin.emissions
                plugin.emissions = []
            }
        }
    }

    /// One `on_event` of a plugin granted host I/O, for `deliver`: returns where the batch
    /// goes on and the failure, as `LuaPlugin.deliver` does.
    func deliverWaiting(_ event: Event, at index: Int, on plugin: LuaPlugin, into delivery: inout LuaDelivery) async -> (next: Int, failure: LuaError?) {
        let (result, emissions) = await complete(plugin.beginEvent(event.payload, meta: event.meta), on: plugin)
        switch result {
        case .success:
            delivery.emissions += emissions
            return (index + 1, nil)
        case .failure(let error):
            // What a failed call emitted is dropped, as for every plugin.
            return (index, error)
        }
    }

    /// Performs one host I/O call of `plugin`'s state.
    func perform(_ request: LuaIORequest, for plugin: LuaPlugin) async -> LuaIOResult {
        if case .sleep(let milliseconds) = request {
            do {
                try await Task.sleep(for: .milliseconds(milliseconds))
                return .values([])
            } catch {
                return .failure("cancelled")
            }
        }
        guard let io = plugin.io else { return .failure("host I/O is not available: this temblor runs Lua connectors without a host I/O provider") }
        return await io.perform(request)
    }

    /// Closes in the host what the script closed (closing never makes the script wait).
    func closeHandles(of plugin: LuaPlugin) async {
        guard !plugin.closedHandles.isEmpty else { return }
        let handles = plugin.closedHandles
        plugin.closedHandles = []
        guard let io = plugin.io else { return }
        for handle in handles { _ = await io.perform(.close(handle: handle)) }
    }

    /// Opens the host I/O of a new state, when the flow grants it any.
    func openIO(for plugin: LuaPlugin) {
        guard !capabilities.isEmpty, let hostIO else { return }
        plugin.io = hostIO.session(connector: name, capabilities: capabilities, limits: limits, config: config, logger: logger)
    }

    /// Closes everything a state opened; its waiting calls end with "closed".
    func closeIO(of plugin: LuaPlugin?) {
        guard let plugin, let io = plugin.io else { return }
        plugin.io = nil
        Task { await io.close() }
    }

    /// A callback stopped waiting on host I/O.
    func waitEnded() {
        activeWaits -= 1
        guard activeWaits == 0 else { return }
        for waiter in idleWaiters { waiter.resume() }
        idleWaiters = []
    }

    /// Returns once no callback waits on host I/O.
    func idle() async {
        while activeWaits > 0 { await withCheckedContinuation { idleWaiters.append($0) } }
    }

    /// Returns once no reload is swapping the state.
    func passGate() async {
        while isLoading { await withCheckedContinuation { loadWaiters.append($0) } }
    }
}
