import CoreMetrics
import Logging
import Synchronization
import TemblorLua
import TemblorValue

/// The state of a Lua pipeline operator, shared between the pipeline that runs it and the
/// flow's reloader: a lock held for each event and for the swap, so that a reload happens
/// between events and an event is handled by exactly one version.
final class LuaOperatorCore: Sendable {
    /// What every state of the operator is made from.
    struct Setup: Sendable {
        let path: String
        let script: String
        let config: Value
        let limits: LuaLimits
        let policy: LuaFaultPolicy
        let libraryRoots: [String]
        let logger: Logger
        /// The flow's metrics backend, caught when the flow built the operator.
        let metrics: any MetricsFactory = MetricsScope.current

        func load(text: [UInt8]?, state: Value) throws(LuaError) -> LuaPlugin {
            try LuaPlugin(
                path: path, text: text, instance: script, config: config, state: state, limits: limits, libraryRoots: libraryRoots,
                logger: logger, metrics: metrics)
        }
    }

    /// What changes as the operator runs.
    struct Running {
        var plugin: LuaPlugin?
        var carriedState: Value = .null
        var faults: LuaFaultCounter
        var stopped = false
        var hash: String
        /// The script's text the running version was loaded from, which a restart runs again.
        var text: [UInt8]?
        /// The record `status` reports.
        var loadedAt = Event.nowSeconds()
        var reloads = 0
        var restartCount = 0
        var faultCount = 0
    }

    let setup: Setup
    let files: LuaPluginFiles
    let running: Mutex<Running>

    init(setup: Setup, plugin: consuming sending LuaPlugin, text: [UInt8]?, hash: String) {
        self.setup = setup
        files = LuaPluginFiles(path: setup.path)
        running = Mutex(Running(plugin: plugin, faults: LuaFaultCounter(policy: setup.policy), hash: hash, text: text))
    }

    func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        let event = event
        let result: Result<LuaEventResult?, OperatorError> = running.withLock { running in
            guard let plugin = state(&running) else {
                return .failure(.failed(operator: LuaOperator.name, message: "\(setup.path): the script was stopped after repeated faults"))
            }
            do throws(LuaError) {
                let result = try plugin.deliverKeepingMeta(event.payload, meta: event.meta)
                plugin.emissions = []
                running.faults.succeeded()
                return .success(result.value == nil ? nil : result)
            } catch {
                plugin.emissions = []
                fault(error, &running)
                return .failure(.failed(operator: LuaOperator.name, message: "on_event: \(error)"))
            }
        }
        guard let returned = try result.get(), let value = returned.value else {
            output.drop(event)
            return
        }
        var forwarded = event
        forwarded.payload = value
        // What the script made of `meta` goes on (a table it emptied stays empty).
        if let meta = returned.meta { forwarded.meta = meta.isNull ? [:] : meta }
        output.emit(forwarded, on: returned.port.map { Port($0) } ?? .out)
    }

    /// The running state, restarting one that was dropped (at once: a pipeline cannot wait out
    /// a backoff); `nil` once given up on.
    private func state(_ running: inout Running) -> LuaPlugin? {
        if let plugin = running.plugin { return plugin }
        guard !running.stopped else { return nil }
        do {
            running.plugin = try setup.load(text: running.text, state: running.carriedState)
        } catch {
            setup.logger.error("lua operator \(setup.path): restarting failed: \(error)")
            running.faultCount += 1
            if running.faults.failed(error, running: false) == .stop { running.stopped = true }
            return nil
        }
        return running.plugin
    }

    private func fault(_ error: LuaError, _ running: inout Running) {
        setup.logger.error("lua operator \(setup.path): on_event: \(error)")
        running.faultCount += 1
        let verdict = running.faults.failed(error, running: true)
        guard verdict != .keep else { return }
        running.restartCount += 1
        if let saved = running.plugin?.savedState() { running.carriedState = saved }
        running.plugin = nil
        if verdict == .stop {
            running.stopped = true
            setup.logger.error("lua operator \(setup.path): stopped after \(setup.policy.maxRestarts) restarts; its events go to err")
        } else {
            setup.logger.warning(
                "lua operator \(setup.path): restarting its state (restart \(running.faults.restarts) of at most \(setup.policy.maxRestarts))")
        }
    }
}

extension LuaOperatorCore: PluginReloadable {
    var node: String { "lua:\(setup.script)" }
    var pluginPath: String { setup.path }
    var pluginDirectory: String { files.directory }

    func status() async -> PluginStatus {
        running.withLock { running in
            PluginStatus(
                node: node, plugin: setup.path, hash: running.hash, loadedAt: running.loadedAt, reloads: running.reloads,
                restarts: running.restartCount, faults: running.faultCount, memoryBytes: running.plugin?.memoryInUse ?? 0,
                stopped: running.stopped)
        }
    }

    /// Loads the new version and swaps it in under the lock, after `on_reload` carried the
    /// state over.
    func reload() async -> PluginReloadOutcome {
        func outcome(_ result: PluginReloadOutcome.Result) -> PluginReloadOutcome {
            PluginReloadOutcome(node: node, plugin: setup.path, result: result)
        }
        let hash = files.contentHash()
        if running.withLock({ $0.plugin != nil && $0.hash == hash }) { return outcome(.unchanged(hash: hash)) }
        return running.withLock { running -> PluginReloadOutcome in
            // Loaded under the lock: events wait for it (a pipeline runs one event at a time
            // anyway), and a version that fails to load leaves the running one untouched.
            let began = ContinuousClock.now
            let fresh: LuaPlugin
            let text = files.mainText()
            do {
                fresh = try setup.load(text: text, state: .null)
            } catch {
                return outcome(.failed("\(error)"))
            }
            guard fresh.has(.onEvent) else { return outcome(.failed("\(setup.path): the new version has no on_event")) }
            if let mismatch = LuaConfigCheck.mismatch(
                flow: setup.config, old: running.plugin?.info.defaults ?? .null, new: fresh.info.defaults) {
                return outcome(.failed("\(setup.path): \(mismatch)"))
            }
            let oldState = LuaPlugin.stateTable(running.plugin?.savedState() ?? running.carriedState)
            do throws(LuaError) {
                try fresh.setState(oldState)
                try fresh.adoptReloaded(try fresh.call(.onReload, [oldState]))
            } catch {
                return outcome(.failed("\(error)"))
            }
            let oldHash = running.hash
            var next = Running(plugin: fresh, faults: LuaFaultCounter(policy: setup.policy), hash: hash, text: text)
            (next.reloads, next.restartCount, next.faultCount) = (running.reloads + 1, running.restartCount, running.faultCount)
            running = next
            let micros = (ContinuousClock.now - began).wholeMicroseconds
            return outcome(.swapped(oldHash: oldHash, newHash: hash, swapMicroseconds: micros))
        }
    }
}
