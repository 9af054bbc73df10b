import HTTPTypes
import Logging
import NIOSSL
import TemblorRuntime
import TemblorValue

/// `ws_client`: connects to a `ws://` or `wss://` url and sends the events written to its `in`
/// port as messages, acking each once written; messages the server sends become events on its
/// `out` port (`meta.ws = {binary}`). A refused or dropped connection is retried with the
/// connector's `reconnect` strategy, holding the sources feeding it meanwhile; once the retries
/// are used up, events fail.
public struct WebSocketClientConnector: ConnectorFactory {
    /// A factory for `ws_client` instances.
    public init() {}

    /// The type's name, sides, default codec (`json`, no processors) and configuration check.
    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "ws_client", hasSource: true, hasSink: true, defaultCodec: "json") { config throws(ConnectorConfigError) in
            // Relative certificate paths are read when the flow starts, relative to the flow file;
            // absolute ones are read now.
            let settings = try Self.settings(config, directory: "")
            if let tls = settings.tls, tls.hasOnlyAbsolutePaths { _ = try tls.clientConfiguration() }
        }
    }

    /// A `ws_client`'s configuration, checked.
    struct Settings: Sendable {
        var url: WebSocketURL
        /// The TLS settings of a `wss://` url; `nil` trusts the system's CAs.
        var tls: TLSSettings?
        var headers: HTTPFields
        var maxMessageBytes: Int
    }

    static let keys: Set<String> = ["url", "tls", "headers", "max_message_bytes"]
    /// Headers the handshake sets itself.
    static let handshakeHeaders: Set<String> = [
        "connection", "upgrade", "host", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
    ]

    static func settings(_ config: Value, directory: String) throws(ConnectorConfigError) -> Settings {
        let reader = try ConfigReader(config, allowed: keys)
        let url = try WebSocketURL.parse(try reader.requiredString("url"))
        let tls = try TLSSettings.parse(config["tls"], role: .client, directory: directory)
        if tls != nil, !url.secure {
            throw ConnectorConfigError(key: "tls", "TLS applies to wss:// urls; use a wss:// url or remove 'tls'")
        }
        if url.secure, url.hostIsAddress {
            throw ConnectorConfigError(
                key: "url",
                "wss:// needs a host name, not an IP address (TLS names the server it expects); use a name the server's certificate covers, like wss://localhost:\(url.port)\(url.path)")
        }
        return Settings(
            url: url, tls: tls, headers: try headers(config["headers"]),
            maxMessageBytes: try reader.int("max_message_bytes", in: 1...(1 << 30)) ?? (1 << 20))
    }

    /// Reads `headers`: a mapping of header names to strings (numbers and booleans are written as text).
    static func headers(_ raw: Value?) throws(ConnectorConfigError) -> HTTPFields {
        var fields = HTTPFields()
        guard let raw, !raw.isNull else { return fields }
        guard let object = raw.objectValue else {
            throw ConnectorConfigError(key: "headers", "expected a mapping of header names to values, got \(raw.typeName)")
        }
        for (name, value) in object {
            guard let fieldName = HTTPField.Name(name) else {
                throw ConnectorConfigError(key: "headers.\(name)", "not a valid HTTP header name")
            }
            guard !handshakeHeaders.contains(name.lowercased()) else {
                throw ConnectorConfigError(key: "headers.\(name)", "set by the WebSocket handshake itself; remove it")
            }
            let text: String
            switch value {
            case .string(let s): text = s
            case .int, .uint, .float, .bool: text = "\(value)"
            default:
                throw ConnectorConfigError(key: "headers.\(name)", "expected a string, got \(value.typeName)")
            }
            guard !text.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw ConnectorConfigError(key: "headers.\(name)", "a header value must be one line")
            }
            fields.append(HTTPField(name: fieldName, value: text))
        }
        return fields
    }

    /// Builds an instance: its sink and source sides share one reconnecting connection.
    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let settings = try Self.settings(definition.config, directory: directory)
        var tls: TLSConfiguration?
        if settings.url.secure { tls = try settings.tls?.clientConfiguration() ?? TLSConfiguration.makeClientConfiguration() }
        let link = WebSocketClientLink(
            settings: settings, tls: tls, strategy: try ReconnectStrategy(definition.reconnect),
            logger: Logger(label: "temblor.connector.\(definition.name)"))
        return ConnectorParts(source: WebSocketClientSource(link: link), sink: WebSocketClientSink(link: link))
    }
}
