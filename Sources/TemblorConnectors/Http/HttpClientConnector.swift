import TemblorRuntime
import TemblorValue

/// `http_client`: each event into `in` is a request to `url` (or `meta.request.url`), its
/// response an event on `out` with `meta.response` and the request's `meta.correlation`, so
/// `source -> http_client -> pipeline` can enrich. 2xx acks the event; 5xx, 429 and connection
/// errors are retried with the `reconnect` backoff while the breaker holds the sources.
public struct HttpClientConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(
            name: "http_client", hasSource: true, hasSink: true, defaultCodec: "json",
            defaultPreprocessors: [], defaultPostprocessors: []
        ) { config throws(ConnectorConfigError) in
            _ = try Self.settings(config, reconnect: .null, directory: nil)
        }
    }

    struct Settings: Sendable {
        var url: String
        var method: String
        var headers: [(String, String)]
        var timeoutMs: Int
        var concurrency: Int
        var tls: TLSSettings?
        var strategy: ReconnectStrategy
    }

    static func isHttpURL(_ url: String) -> Bool {
        for scheme in ["http://", "https://"] where url.lowercased().hasPrefix(scheme) {
            let rest = url.dropFirst(scheme.count)
            return !rest.isEmpty && !rest.hasPrefix("/")
        }
        return false
    }

    static func settings(_ config: Value, reconnect: Value, directory: String?) throws(ConnectorConfigError) -> Settings {
        let reader = try ConfigReader(config, allowed: ["url", "method", "headers", "timeout_ms", "concurrency", "tls"])
        let url = try reader.requiredString("url")
        guard isHttpURL(url) else {
            throw ConnectorConfigError(key: "url", "expected an http:// or https:// URL like http://127.0.0.1:8080/ingest, got '\(url)'")
        }
        let method = (try reader.string("method") ?? "POST").uppercased()
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter }) else {
            throw ConnectorConfigError(key: "method", "expected an HTTP method like GET or POST, got '\(method)'")
        }
        var headers: [(String, String)] = []
        if let raw = config["headers"], !raw.isNull {
            guard case .object(let object) = raw else {
                throw ConnectorConfigError(key: "headers", "expected a mapping of header names to values, got \(raw.typeName)")
            }
            for (name, value) in object {
                guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }) else {
                    throw ConnectorConfigError(key: "headers.\(name)", "not a valid header name")
                }
                guard let text = value.stringValue ?? (value.intValue.map { String($0) }) else {
                    throw ConnectorConfigError(key: "headers.\(name)", "expected a string, got \(value.typeName)")
                }
                headers.append((name, text))
            }
        }
        let tls = try TLSSettings.parse(config["tls"], role: .client, directory: directory ?? ".")
        return Settings(
            url: url, method: method, headers: headers,
            timeoutMs: try reader.int("timeout_ms", in: 1...3_600_000) ?? 10_000,
            concurrency: try reader.int("concurrency", in: 1...4096) ?? 4,
            tls: tls, strategy: try ReconnectStrategy(reconnect))
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let settings = try Self.settings(definition.config, reconnect: definition.reconnect, directory: directory)
        try settings.tls?.check(role: .client)
        let replies = Rendezvous<HttpClientReply>()
        return ConnectorParts(
            source: HttpClientSource(replies: replies), sink: HttpClientSink(settings: settings, replies: replies),
            lifecycle: HttpClientLifecycle(replies: replies))
    }
}
