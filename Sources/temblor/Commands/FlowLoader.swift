import TemblorCodecs
import TemblorConnectors
import TemblorRuntime

/// Reads and validates a flow file against everything this build of Temblor provides.
enum FlowLoader {
    static var catalog: FlowCatalog {
        FlowCatalog(connectorTypes: ConnectorRegistry.standard.infos, codecs: .standard, operators: .standard)
    }

    /// The parsed flow, or every problem found in it.
    static func load(_ path: String) throws(FlowErrors) -> FlowDefinition {
        let flow = try FlowParser.parse(contentsOf: path)
        let errors = FlowValidator(catalog: catalog).validate(flow)
        guard errors.isEmpty else { throw FlowErrors(errors) }
        return flow
    }

    /// The directory relative paths in the flow are resolved against.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }
}
