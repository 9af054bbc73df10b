import TemblorCodecs

/// Everything a flow may name: connector types, codecs and processors, operators.
public struct FlowCatalog: Sendable {
    public var connectorTypes: [String: ConnectorTypeInfo]
    public var codecs: CodecRegistry
    public var operators: OperatorRegistry

    public init(connectorTypes: [ConnectorTypeInfo], codecs: CodecRegistry = .standard, operators: OperatorRegistry) {
        self.connectorTypes = Dictionary(connectorTypes.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.codecs = codecs
        self.operators = operators
    }
}
