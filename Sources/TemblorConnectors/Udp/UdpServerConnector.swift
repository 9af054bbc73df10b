import TemblorRuntime
import TemblorValue

/// `udp_server`: binds `url` and decodes every datagram it receives (each one frame by default)
/// into events with the sender in their `peer` metadata. Runs until the flow stops.
public struct UdpServerConnector: ConnectorFactory {
    private let onBound: (@Sendable (Int) -> Void)?

    /// `onBound` learns the port actually bound (useful with port 0, which lets the system choose).
    public init(onBound: (@Sendable (Int) -> Void)? = nil) {
        self.onBound = onBound
    }

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "udp_server", hasSource: true, hasSink: false, defaultCodec: "json") { config throws(ConnectorConfigError) in
            _ = try Self.address(config)
        }
    }

    static func address(_ config: Value) throws(ConnectorConfigError) -> HostPort {
        let reader = try ConfigReader(config, allowed: ["url"])
        return try HostPort.parse(try reader.requiredString("url"), scheme: "udp", allowAnyPort: true)
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(source: UdpServerSource(address: try Self.address(definition.config), onBound: onBound))
    }
}
