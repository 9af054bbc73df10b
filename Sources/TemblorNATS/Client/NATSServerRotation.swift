/// The servers the client cycles through when reconnecting: the configured ones first, then
/// those the cluster announced, each once whatever URL named it.
struct NATSServerRotation: Sendable {
    private(set) var servers: [NATSServerAddress]
    /// The server in use, or tried last.
    private var position = 0

    init(_ servers: [NATSServerAddress]) {
        var unique: [NATSServerAddress] = []
        for server in servers where !unique.contains(where: { $0.endpoint == server.endpoint }) { unique.append(server) }
        self.servers = unique
    }

    /// The server after the one in use (the same one when there is only one).
    mutating func next() -> NATSServerAddress? {
        guard !servers.isEmpty else { return nil }
        position = (position + 1) % servers.count
        return servers[position]
    }

    /// Marks `server` as the one in use.
    mutating func use(_ server: NATSServerAddress) {
        if let index = servers.firstIndex(where: { $0.endpoint == server.endpoint }) { position = index }
    }

    /// Adds the `host:port` URLs of INFO's `connect_urls` not known yet; returns those added.
    @discardableResult
    mutating func add(discovered urls: [String], tls: Bool) -> [NATSServerAddress] {
        var added: [NATSServerAddress] = []
        for url in urls {
            guard var server = try? NATSServerAddress(url: url) else { continue }
            if tls { server.tls = true }
            guard !servers.contains(where: { $0.endpoint == server.endpoint }) else { continue }
            servers.append(server)
            added.append(server)
        }
        return added
    }
}
