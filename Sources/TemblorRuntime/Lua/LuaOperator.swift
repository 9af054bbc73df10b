import Logging
import TemblorLua
import TemblorValue

/// A pipeline operator written in Lua (`- lua: { script: drop_debug.lua }`): `on_event` returns
/// the event (changed or not), `nil` to drop it, or `event, "port"` to route it. The script runs
/// in its own sandboxed state; an error sends the event to `err`, and a state that goes over a
/// limit or keeps failing is restarted with its `ctx.state`, then given up on.
struct LuaOperator: Operator {
    static let name = "lua"
    static let keys = ["script", "config", "limits"]

    private var plugin: LuaPlugin?
    private let path: String
    private let config: Value
    private let limits: LuaLimits
    private let policy: LuaFaultPolicy
    private let libraryRoots: [String]
    private let logger: Logger
    private var carriedState: Value = .null
    private var faults: LuaFaultCounter
    private var stopped = false
    let extraPorts: [Port]

    init(config: Value, directory: String, libraryRoots: [String]) throws(OperatorError) {
        let settings = try OperatorConfig(operator: Self.name, config, keys: Self.keys)
        guard let script = try settings.string("script") else {
            throw settings.error("script", "a lua operator needs 'script: <file.lua or directory with init.lua>'")
        }
        let limitsValue = settings.value("limits") ?? .null
        do throws(LuaConfigError) {
            limits = try LuaLimits(LuaFaultPolicy.resourceLimits(limitsValue))
            policy = try LuaFaultPolicy(limitsValue)
            faults = LuaFaultCounter(policy: policy)
        } catch {
            throw settings.error(error.key, error.message)
        }
        path = LuaLibrary.resolve(script, in: directory)
        self.config = settings.value("config") ?? .null
        self.libraryRoots = libraryRoots
        logger = Logger(label: "temblor.lua.\(script)")
        let plugin: LuaPlugin
        do {
            plugin = try LuaPlugin(path: path, instance: script, config: self.config, limits: limits, libraryRoots: libraryRoots, logger: logger)
        } catch {
            throw settings.error("script", "\(error)")
        }
        guard plugin.has(.onEvent) else {
            throw settings.error("script", "\(path): a pipeline operator needs an on_event function")
        }
        self.plugin = plugin
        extraPorts = plugin.info.ports.map { Port($0) }
    }

    mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        guard let plugin = try state() else {
            throw .failed(operator: Self.name, message: "\(path): the script was stopped after repeated faults")
        }
        let result: LuaEventResult
        do {
            result = try plugin.deliver(event.payload, meta: event.meta)
            plugin.emissions = []
            faults.succeeded()
        } catch {
            plugin.emissions = []
            fault(error)
            throw .failed(operator: Self.name, message: "on_event: \(error)")
        }
        guard let value = result.value else {
            output.drop(event)
            return
        }
        var forwarded = event
        forwarded.payload = value
        output.emit(forwarded, on: result.port.map { Port($0) } ?? .out)
    }

    /// The running state, restarting one that was dropped (at once: a pipeline cannot wait out
    /// a backoff); `nil` once given up on.
    private mutating func state() throws(OperatorError) -> LuaPlugin? {
        if let plugin { return plugin }
        guard !stopped else { return nil }
        do {
            plugin = try LuaPlugin(path: path, instance: path, config: config, state: carriedState, limits: limits, libraryRoots: libraryRoots, logger: logger)
        } catch {
            logger.error("lua operator \(path): restarting failed: \(error)")
            if faults.failed(error, running: false) == .stop { stopped = true }
            return nil
        }
        return plugin
    }

    private mutating func fault(_ error: LuaError) {
        logger.error("lua operator \(path): on_event: \(error)")
        let verdict = faults.failed(error, running: true)
        guard verdict != .keep else { return }
        if let saved = plugin?.savedState() { carriedState = saved }
        plugin = nil
        if verdict == .stop {
            stopped = true
            logger.error("lua operator \(path): stopped after \(policy.maxRestarts) restarts; its events go to err")
        } else {
            logger.warning("lua operator \(path): restarting its state (restart \(faults.restarts) of at most \(policy.maxRestarts))")
        }
    }
}

extension OperatorRegistry {
    /// This registry with the `lua` operator, loading scripts relative to the flow's `directory`.
    public func withLua(directory: String, libraryRoots: [String] = LuaLibrary.roots) -> OperatorRegistry {
        var registry = self
        registry.register(LuaOperator.name) { config throws(OperatorError) in
            try LuaOperator(config: config, directory: directory, libraryRoots: libraryRoots)
        }
        return registry
    }
}
