import TemblorLua
import TemblorValue

/// Hot reload of a Lua connector (DESIGN §5): the new version of the plugin's files is loaded in
/// a fresh state off this actor while the old one keeps running, then swapped in between
/// batches: no callback of the old state runs after the swap, and every event either state took
/// is acked or failed by that state.
extension LuaInstance: PluginReloadable {
    nonisolated var node: String { name }
    nonisolated var pluginPath: String { path }
    nonisolated var pluginDirectory: String { files.directory }

    func reload() async -> PluginReloadOutcome {
        func outcome(_ result: PluginReloadOutcome.Result) -> PluginReloadOutcome {
            PluginReloadOutcome(node: name, plugin: path, result: result)
        }
        let hash = files.contentHash()
        if plugin != nil, hash == runningHash { return outcome(.unchanged(hash: hash)) }
        let fresh: LuaPlugin
        let text = files.mainText()
        do {
            fresh = try await load(text)
        } catch {
            return outcome(.failed("\(error)"))
        }
        if let mismatch = LuaConfigCheck.mismatch(flow: config, old: info?.defaults ?? .null, new: fresh.info.defaults) {
            return outcome(.failed("\(path): \(mismatch)"))
        }
        if sinkInUse && !fresh.hasSink {
            return outcome(.failed("\(path): the new version has no on_event, but events are linked into \(name)"))
        }
        fresh.emitBatch = batchSize
        fresh.isRunning = !isStopping
        openIO(for: fresh)

        // The swap: from here on no callback of either state starts until it is done.
        await passGate()
        isLoading = true
        defer { openGate() }
        let began = ContinuousClock.now
        await idle()
        let old = plugin
        let oldState = LuaPlugin.stateTable(old?.savedState() ?? carriedState)
        do throws(LuaError) {
            try fresh.setState(oldState)
            try fresh.adoptReloaded(try await run(.onReload, on: fresh, [oldState]))
            if fresh.has(.connect) {
                let connected = try await run(.connect, on: fresh)
                if connected == .bool(false) || connected.isNull { throw LuaError.runtime("connect returned \(connected)") }
            }
            if started { try await run(.onStart, on: fresh) }
        } catch {
            closeIO(of: fresh)
            return outcome(.failed("\(error)"))
        }
        closeIO(of: old)
        let oldHash = runningHash
        plugin = fresh
        info = fresh.info
        generation += 1
        nextTimerDue = [:]
        runningHash = hash
        runningText = text
        loadedAt = Event.nowSeconds()
        reloads += 1
        // A good version starts with a clean slate, even where the old one had been given up on.
        faults = LuaFaultCounter(policy: policy)
        restartAt = nil
        isStopped = false
        let micros = (ContinuousClock.now - began).wholeMicroseconds
        return outcome(.swapped(oldHash: oldHash, newHash: hash, swapMicroseconds: micros))
    }

    func status() async -> PluginStatus {
        PluginStatus(
            node: name, plugin: path, hash: runningHash, loadedAt: loadedAt, reloads: reloads, restarts: restartsTotal,
            faults: faultsTotal, memoryBytes: plugin?.memoryInUse ?? 0, stopped: isStopped)
    }

    /// Loads the plugin's files in a fresh state on another task, so that compiling it and
    /// running its top-level code does not hold up the running state.
    private func load(_ text: [UInt8]?) async throws(LuaError) -> LuaPlugin {
        let (path, name, config, limits, capabilities, roots, logger, metrics) = (
            path, name, config, limits, capabilities, libraryRoots, logger, metrics
        )
        let loaded = await Task.detached { () -> Result<LoadedPlugin, LuaError> in
            do throws(LuaError) {
                return .success(LoadedPlugin(try LuaPlugin(
                    path: path, text: text, instance: name, config: config, limits: limits, capabilities: capabilities,
                    libraryRoots: roots, logger: logger, metrics: metrics)))
            } catch {
                return .failure(error)
            }
        }.value
        return try loaded.get().plugin
    }

    /// Lets waiting callers go on after a load or a swap.
    func openGate() {
        isLoading = false
        for waiter in loadWaiters { waiter.resume() }
        loadWaiters = []
    }
}

/// Carries a state made on a detached task to the instance. The task made it and ended before
/// the instance touches it (the instance awaits the task's value), and nothing else refers to
/// it, so the state is never used from two threads at once.
private final class LoadedPlugin: @unchecked Sendable {
    let plugin: LuaPlugin
    init(_ plugin: LuaPlugin) { self.plugin = plugin }
}
