import NIOSSL

/// What the client connects to and how it behaves when connections come and go.
public struct NATSClientOptions: Sendable {
    /// The servers to try, in order; those the cluster announces join them when
    /// `discoverServers` is on.
    public var servers: [NATSServerAddress]
    /// The credentials CONNECT carries.
    public var auth: NATSAuth = .none
    /// When set (or a server is `tls://`, or INFO says `tls_required`), the client upgrades to
    /// TLS after INFO with this context; nil with TLS needed uses the system's trust roots.
    public var tls: NIOSSLContext?
    /// The name the certificate is checked against (and sent as SNI) instead of the host.
    public var tlsServerName: String?
    /// How the connection is named in the server's monitoring.
    public var name: String = "temblor"
    /// How long a TCP connect, and then the INFO/CONNECT/PONG handshake, may each take.
    public var connectTimeout: Duration = .seconds(2)
    /// How long to wait before reconnect attempt `attempt` (1, 2, …); by default 100 ms
    /// doubling up to 5 s.
    public var reconnectDelay: @Sendable (_ attempt: Int) -> Duration = NATSClientOptions.exponentialDelay
    /// How often the client PINGs the server to find out that a connection went silent.
    public var pingInterval: Duration = .seconds(10)
    /// How many PINGs may go unanswered before the connection counts as stale and is replaced.
    public var maxPingsOutstanding: Int = 2
    /// Adds the `connect_urls` of INFO (the cluster's other servers) to the reconnect rotation.
    public var discoverServers: Bool = true
    /// The first token of inbox subjects, for accounts that restrict where replies may go.
    public var inboxPrefix: String = "_INBOX"
    /// The buffer bound of each new subscription (see `NATSSubscription`).
    public var subscriptionCapacity: Int = NATSSubscription.defaultCapacity

    /// Options for these servers, everything else at its default.
    public init(servers: [NATSServerAddress]) {
        self.servers = servers
    }

    /// 100 ms, 200 ms, 400 ms, … up to 5 s.
    public static let exponentialDelay: @Sendable (Int) -> Duration = { attempt in
        let exponent = min(max(attempt - 1, 0), 6)
        return min(.milliseconds(100 * (1 << exponent)), .seconds(5))
    }
}
