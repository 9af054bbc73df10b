import Logging
import TemblorLua
import TemblorValue

/// Makes `type: lua` connectors: each instance runs its plugin in its own sandboxed state.
public struct LuaConnectorFactory: ConnectorFactory {
    /// Directories `require` may load shared modules from after the plugin's own (Temblor's `lua/`).
    public let libraryRoots: [String]
    /// Performs the host I/O of plugins granted some (`allow:`); without it, such calls fail.
    public let hostIO: (any LuaHostIOProvider)?

    public init(libraryRoots: [String] = LuaLibrary.roots, hostIO: (any LuaHostIOProvider)? = nil) {
        self.libraryRoots = libraryRoots
        self.hostIO = hostIO
    }

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "lua", hasSource: true, hasSink: true, defaultCodec: "json") { _ throws(ConnectorConfigError) in }
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        guard let plugin = definition.plugin else {
            throw ConnectorConfigError(key: "", "a lua connector needs 'plugin: <file.lua or directory with init.lua>'")
        }
        let limits: LuaLimits
        let policy: LuaFaultPolicy
        let capabilities: LuaCapabilities
        do throws(LuaConfigError) {
            limits = try LuaLimits(LuaFaultPolicy.resourceLimits(definition.limits))
            policy = try LuaFaultPolicy(definition.limits)
            capabilities = try LuaCapabilities(definition.allow, directory: LuaLibrary.absolute(directory))
        } catch {
            throw ConnectorConfigError(key: "", error.description)
        }
        let path = LuaLibrary.resolve(plugin, in: directory)
        let instance = LuaInstance(
            name: definition.name, path: path, config: definition.config, limits: limits, libraryRoots: libraryRoots,
            policy: policy, capabilities: capabilities, hostIO: hostIO, logger: Logger(label: "temblor.lua.\(definition.name)"))
        return ConnectorParts(
            source: LuaSource(instance: instance), sink: LuaSink(instance: instance, name: definition.name),
            lifecycle: LuaLifecycle(instance: instance), reloadable: instance)
    }
}
