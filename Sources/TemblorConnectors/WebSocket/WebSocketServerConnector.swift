import TemblorRuntime
import TemblorValue

/// `ws_server`: listens on `url` (`wss` with `tls: {cert, key}`); every WebSocket connection is a
/// stream and every text or binary message an event (`meta.ws = {connection, peer, binary}`).
/// Events sent to its `in` port go back as messages on the connection their `meta.ws.connection`
/// names, so `server -> pipeline -> server` answers each client on its own connection.
public struct WebSocketServerConnector: ConnectorFactory {
    private let onBound: (@Sendable (Int) -> Void)?

    /// `onBound` learns the port actually bound (useful with port 0, which lets the system choose).
    public init(onBound: (@Sendable (Int) -> Void)? = nil) {
        self.onBound = onBound
    }

    /// The type's name, sides, default codec (`json`, no processors) and configuration check.
    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "ws_server", hasSource: true, hasSink: true, defaultCodec: "json") { config throws(ConnectorConfigError) in
            // Relative certificate paths are read when the flow starts, relative to the flow file;
            // absolute ones are read now.
            let settings = try Self.settings(config, directory: "")
            if let tls = settings.tls, tls.hasOnlyAbsolutePaths { try tls.check(role: .server) }
        }
    }

    /// A `ws_server`'s configuration, checked.
    struct Settings: Sendable {
        var address: HostPort
        var tls: TLSSettings?
        var maxMessageBytes: Int
        var maxConnections: Int
    }

    static let keys: Set<String> = ["url", "tls", "max_message_bytes", "max_connections"]

    static func settings(_ config: Value, directory: String) throws(ConnectorConfigError) -> Settings {
        let reader = try ConfigReader(config, allowed: keys)
        var url = try reader.requiredString("url")
        var secure = false
        for scheme in ["ws://", "wss://"] where url.hasPrefix(scheme) {
            url.removeFirst(scheme.count)
            secure = scheme == "wss://"
        }
        if url.hasSuffix("/") { url.removeLast() }
        if !url.contains("://"), let slash = url.firstIndex(of: "/") {
            throw ConnectorConfigError(key: "url", "expected host:port; the server accepts connections on any path, so drop '\(url[slash...])'")
        }
        let tls = try TLSSettings.parse(config["tls"], role: .server, directory: directory)
        if secure, tls == nil {
            throw ConnectorConfigError(key: "url", "a wss:// url needs 'tls: {cert, key}' to serve TLS with")
        }
        let address: HostPort
        do {
            address = try HostPort.parse(url, scheme: "ws", allowAnyPort: true)
        } catch {
            throw ConnectorConfigError(key: "url", error.message.replacingOccurrences(of: "use ws://host:port", with: "use ws://host:port, wss://host:port"))
        }
        return Settings(
            address: address, tls: tls,
            maxMessageBytes: try reader.int("max_message_bytes", in: 1...(1 << 30)) ?? (1 << 20),
            maxConnections: try reader.int("max_connections", in: 1...1_000_000) ?? 1024)
    }

    /// Builds an instance: its listener (the source side) and its answering sink share the
    /// table of open connections.
    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let settings = try Self.settings(definition.config, directory: directory)
        try settings.tls?.check(role: .server)
        let connections = WebSocketConnectionTable()
        return ConnectorParts(
            source: WebSocketServerSource(settings: settings, connections: connections, onBound: onBound),
            sink: WebSocketServerSink(connections: connections))
    }
}
