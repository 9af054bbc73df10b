import NIOCore

extension TLSSettings {
    /// The name a client asks TLS for when it connects to `host`: the host itself, unless it is
    /// an address (TLS names hosts only; an address is checked against the certificate as one).
    static func serverName(for host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}
