/// What the server says about itself in INFO: limits the client must keep to, what it
/// supports, and the other servers of its cluster.
public struct NATSServerInfo: Sendable, Equatable, Decodable {
    /// The server's unique id.
    public var serverID: String
    /// The server's configured name (its id when none was configured).
    public var serverName: String
    /// The server version, such as `2.9.10`.
    public var version: String
    /// The protocol level; 1 supports INFO updates with cluster URLs.
    public var proto: Int
    /// The Go version the server was built with.
    public var go: String?
    /// The host the server listens on.
    public var host: String
    /// The port the server listens on.
    public var port: Int
    /// The largest message (headers and payload) the server accepts.
    public var maxPayload: Int
    /// Whether the server takes HPUB and sends HMSG.
    public var headers: Bool
    /// Whether JetStream is enabled.
    public var jetStream: Bool
    /// Client URLs of the other servers of the cluster, as `host:port`.
    public var connectURLs: [String]
    /// The client must upgrade to TLS after INFO.
    public var tlsRequired: Bool
    /// The server offers TLS without requiring it.
    public var tlsAvailable: Bool
    /// The server wants credentials in CONNECT.
    public var authRequired: Bool
    /// What an nkey or credentials client signs to prove it holds the seed.
    public var nonce: String?
    /// The id the server gave this connection.
    public var clientID: UInt64?
    /// The client's address as the server sees it.
    public var clientIP: String?
    /// The cluster's name, for clustered servers.
    public var cluster: String?
    /// The JetStream domain, if one is configured.
    public var domain: String?
    /// The server is shutting down slowly ("lame duck mode"): clients should move elsewhere.
    public var lameDuckMode: Bool

    enum CodingKeys: String, CodingKey {
        case serverID = "server_id", serverName = "server_name", version, proto, go, host, port
        case maxPayload = "max_payload", headers, jetStream = "jetstream", connectURLs = "connect_urls"
        case tlsRequired = "tls_required", tlsAvailable = "tls_available", authRequired = "auth_required"
        case nonce, clientID = "client_id", clientIP = "client_ip", cluster, domain, lameDuckMode = "ldm"
    }

    /// Decodes the server's JSON; fields it leaves out get their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        serverID = try c.decodeIfPresent(String.self, forKey: .serverID) ?? ""
        serverName = try c.decodeIfPresent(String.self, forKey: .serverName) ?? serverID
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        proto = try c.decodeIfPresent(Int.self, forKey: .proto) ?? 0
        go = try c.decodeIfPresent(String.self, forKey: .go)
        host = try c.decodeIfPresent(String.self, forKey: .host) ?? ""
        port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 0
        maxPayload = try c.decodeIfPresent(Int.self, forKey: .maxPayload) ?? 1_048_576
        headers = try c.decodeIfPresent(Bool.self, forKey: .headers) ?? false
        jetStream = try c.decodeIfPresent(Bool.self, forKey: .jetStream) ?? false
        connectURLs = try c.decodeIfPresent([String].self, forKey: .connectURLs) ?? []
        tlsRequired = try c.decodeIfPresent(Bool.self, forKey: .tlsRequired) ?? false
        tlsAvailable = try c.decodeIfPresent(Bool.self, forKey: .tlsAvailable) ?? false
        authRequired = try c.decodeIfPresent(Bool.self, forKey: .authRequired) ?? false
        nonce = try c.decodeIfPresent(String.self, forKey: .nonce)
        clientID = try c.decodeIfPresent(UInt64.self, forKey: .clientID)
        clientIP = try c.decodeIfPresent(String.self, forKey: .clientIP)
        cluster = try c.decodeIfPresent(String.self, forKey: .cluster)
        domain = try c.decodeIfPresent(String.self, forKey: .domain)
        lameDuckMode = try c.decodeIfPresent(Bool.self, forKey: .lameDuckMode) ?? false
    }
}
