import NIOCore

extension SocketAddress {
    /// `ip:port` (`[ip]:port` for IPv6), as connectors put it in an event's `peer` metadata.
    var peerDescription: String {
        guard let ip = ipAddress, let port else { return description }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

extension Optional where Wrapped == SocketAddress {
    /// The peer description, or `unknown` for a socket that lost its address.
    var peerDescription: String { self?.peerDescription ?? "unknown" }
}
