import Logging
import TemblorRuntime
import TemblorValue

/// `tcp_client`: connects to `url` and writes the events sent to its `in` port, acking each once
/// written; what the server sends back becomes events on its `out` port (one stream per
/// connection). A refused or dropped connection is retried with the connector's `reconnect`
/// strategy; events that arrive while it is down fail, and all fail once retries are used up.
public struct TcpClientConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(
            name: "tcp_client", hasSource: true, hasSink: true, defaultCodec: "json",
            defaultPreprocessors: ["separate"], defaultPostprocessors: ["separate"]
        ) { config throws(ConnectorConfigError) in
            // Certificate files are read when the flow starts, relative to the flow file.
            _ = try Self.address(config)
            _ = try TLSSettings.parse(config["tls"], role: .client, directory: ".")
        }
    }

    static func address(_ config: Value) throws(ConnectorConfigError) -> HostPort {
        let reader = try ConfigReader(config, allowed: ["url", "tls"])
        return try HostPort.parse(try reader.requiredString("url"), scheme: "tcp", allowAnyPort: false)
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let tls = try TLSSettings.parse(definition.config["tls"], role: .client, directory: directory)
        let link = TcpClientLink(
            address: try Self.address(definition.config), strategy: try ReconnectStrategy(definition.reconnect),
            logger: Logger(label: "temblor.connector.\(definition.name)"), tls: try tls?.clientContext())
        return ConnectorParts(source: TcpClientSource(link: link), sink: TcpClientSink(link: link))
    }
}
