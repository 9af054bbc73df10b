import TemblorRuntime
import TemblorValue

/// `tcp_server`: listens on `url`; every accepted connection is a stream of events (metadata
/// `peer` and `connection`), and events sent to its `in` port are written back to the connection
/// named by their `connection` metadata, so a flow can answer on the connection a request came on.
/// Runs until the flow stops.
public struct TcpServerConnector: ConnectorFactory {
    private let onBound: (@Sendable (Int) -> Void)?

    /// `onBound` learns the port actually bound (useful with port 0, which lets the system choose).
    public init(onBound: (@Sendable (Int) -> Void)? = nil) {
        self.onBound = onBound
    }

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(
            name: "tcp_server", hasSource: true, hasSink: true, defaultCodec: "json",
            defaultPreprocessors: ["separate"], defaultPostprocessors: ["separate"]
        ) { config throws(ConnectorConfigError) in
            // Certificate files are read when the flow starts, relative to the flow file.
            _ = try Self.settings(config, directory: ".")
        }
    }

    struct Settings {
        var address: HostPort
        var maxConnections: Int
        var tls: TLSSettings?
    }

    static func settings(_ config: Value, directory: String) throws(ConnectorConfigError) -> Settings {
        let reader = try ConfigReader(config, allowed: ["url", "max_connections", "tls"])
        return Settings(
            address: try HostPort.parse(try reader.requiredString("url"), scheme: "tcp", allowAnyPort: true),
            maxConnections: try reader.int("max_connections", in: 1...1_000_000) ?? 1024,
            tls: try TLSSettings.parse(config["tls"], role: .server, directory: directory))
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let settings = try Self.settings(definition.config, directory: directory)
        let connections = TcpConnectionTable(limit: settings.maxConnections)
        return ConnectorParts(
            source: TcpServerSource(address: settings.address, tls: try settings.tls?.serverContext(), connections: connections, onBound: onBound),
            sink: TcpServerSink(connections: connections))
    }
}
