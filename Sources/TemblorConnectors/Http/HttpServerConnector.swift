import TemblorRuntime
import TemblorValue

/// `http_server`: listens on `url` (TLS with `tls: {cert, key}`); each request becomes events
/// (its body decoded by the codec its `Content-Type` names) with `meta.request`. Requests are
/// answered by the events the flow sends to its `in` port, or, when nothing links there, with
/// 202 once their events were delivered: an at-least-once ingest endpoint.
public struct HttpServerConnector: ConnectorFactory {
    private let onBound: (@Sendable (Int) -> Void)?

    /// `onBound` learns the port actually bound (useful with port 0, which lets the system choose).
    public init(onBound: (@Sendable (Int) -> Void)? = nil) {
        self.onBound = onBound
    }

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(
            name: "http_server", hasSource: true, hasSink: true, defaultCodec: "json",
            defaultPreprocessors: [], defaultPostprocessors: []
        ) { config throws(ConnectorConfigError) in
            // Certificate files are read when the flow starts, relative to the flow file.
            _ = try Self.settings(config, directory: nil)
        }
    }

    struct Settings: Sendable {
        var address: HostPort
        var tls: TLSSettings?
        var maxBodyBytes: Int
        var headerTimeoutMs: Int
        var responseTimeoutMs: Int
        var maxConnections: Int
    }

    static func settings(_ config: Value, directory: String?) throws(ConnectorConfigError) -> Settings {
        let reader = try ConfigReader(
            config, allowed: ["url", "tls", "max_body_bytes", "header_timeout_ms", "response_timeout_ms", "max_connections"])
        var url = try reader.requiredString("url")
        var secure = false
        if url.hasPrefix("https://") {
            url.removeFirst("https://".count)
            secure = true
        }
        if url.hasSuffix("/") { url.removeLast() }
        let tls = try TLSSettings.parse(config["tls"], role: .server, directory: directory ?? ".")
        if secure, tls == nil {
            throw ConnectorConfigError(key: "url", "an https:// url needs 'tls: {cert, key}' to serve TLS with")
        }
        return Settings(
            address: try HostPort.parse(url, scheme: "http", allowAnyPort: true),
            tls: tls,
            maxBodyBytes: try reader.int("max_body_bytes", in: 1...(1 << 30)) ?? (1 << 20),
            headerTimeoutMs: try reader.int("header_timeout_ms", in: 1...3_600_000) ?? 10_000,
            responseTimeoutMs: try reader.int("response_timeout_ms", in: 1...3_600_000) ?? 30_000,
            maxConnections: try reader.int("max_connections", in: 1...1_000_000) ?? 1024)
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let settings = try Self.settings(definition.config, directory: directory)
        try settings.tls?.check(role: .server)
        let pending = HttpPendingRequests()
        return ConnectorParts(
            source: HttpServerSource(settings: settings, pending: pending, onBound: onBound),
            sink: HttpServerSink(pending: pending),
            lifecycle: HttpServerLifecycle(pending: pending))
    }
}
