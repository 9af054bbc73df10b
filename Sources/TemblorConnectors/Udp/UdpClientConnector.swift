import TemblorRuntime
import TemblorValue

/// `udp_client`: sends each event sent to its `in` port as one datagram to `url`, and acks it
/// once sent (UDP itself confirms nothing further).
public struct UdpClientConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "udp_client", hasSource: false, hasSink: true, defaultCodec: "json") { config throws(ConnectorConfigError) in
            _ = try Self.address(config)
        }
    }

    static func address(_ config: Value) throws(ConnectorConfigError) -> HostPort {
        let reader = try ConfigReader(config, allowed: ["url"])
        return try HostPort.parse(try reader.requiredString("url"), scheme: "udp", allowAnyPort: false)
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(sink: UdpClientSink(address: try Self.address(definition.config)))
    }
}
