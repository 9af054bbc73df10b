import TemblorCodecs
import TemblorConnectors
import TemblorRuntime

/// Reads and validates a flow file against everything this build of Temblor provides.
enum FlowLoader {
    /// What a flow in `directory` may use: the stock connectors and operators, Lua ones included.
    static func catalog(directory: String) -> FlowCatalog {
        FlowCatalog(connectorTypes: ConnectorRegistry.standard.infos, codecs: .standard, operators: operators(directory: directory))
    }

    /// The operators of a flow in `directory` (Lua scripts resolve against it).
    static func operators(directory: String) -> OperatorRegistry {
        OperatorRegistry.standard.withLua(directory: directory)
    }

    /// The parsed flow, or every problem found in it.
    static func load(_ path: String) throws(FlowErrors) -> FlowDefinition {
        let flow = try FlowParser.parse(contentsOf: path)
        let errors = FlowValidator(catalog: catalog(directory: directory(of: path))).validate(flow)
        guard errors.isEmpty else { throw FlowErrors(errors) }
        return flow
    }

    /// The directory relative paths in the flow are resolved against.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }
}
