import Logging
import TemblorLua
import TemblorValue

/// A pipeline operator written in Lua (`- lua: { script: drop_debug.lua }`): `on_event` returns
/// the event (changed or not), `nil` to drop it, or `event, "port"` to route it. The script runs
/// in its own sandboxed state (in `LuaOperatorCore`, which a reload swaps); an error sends the
/// event to `err`, and a state that goes over a limit or keeps failing is restarted with its
/// `ctx.state`, then given up on.
struct LuaOperator: Operator {
    static let name = "lua"
    static let keys = ["script", "config", "limits"]

    let core: LuaOperatorCore
    let extraPorts: [Port]

    init(config: Value, directory: String, libraryRoots: [String]) throws(OperatorError) {
        let settings = try OperatorConfig(operator: Self.name, config, keys: Self.keys)
        guard let script = try settings.string("script") else {
            throw settings.error("script", "a lua operator needs 'script: <file.lua or directory with init.lua>'")
        }
        let limitsValue = settings.value("limits") ?? .null
        let limits: LuaLimits
        let policy: LuaFaultPolicy
        do throws(LuaConfigError) {
            limits = try LuaLimits(LuaFaultPolicy.resourceLimits(limitsValue))
            policy = try LuaFaultPolicy(limitsValue)
        } catch {
            throw settings.error(error.key, error.message)
        }
        let path = LuaLibrary.resolve(script, in: directory)
        let setup = LuaOperatorCore.Setup(
            path: path, script: script, config: settings.value("config") ?? .null, limits: limits, policy: policy, libraryRoots: libraryRoots,
            logger: Logger(label: "temblor.lua.\(script)"))
        let files = LuaPluginFiles(path: path)
        let hash = files.contentHash()
        let text = files.mainText()
        let plugin: LuaPlugin
        do {
            plugin = try setup.load(text: text, state: .null)
        } catch {
            throw settings.error("script", "\(error)")
        }
        guard plugin.has(.onEvent) else {
            throw settings.error("script", "\(path): a pipeline operator needs an on_event function")
        }
        extraPorts = plugin.info.ports.map { Port($0) }
        core = LuaOperatorCore(setup: setup, plugin: plugin, text: text, hash: hash)
    }

    func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        try core.process(event, into: &output)
    }

    var reloadable: (any PluginReloadable)? { core }
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
