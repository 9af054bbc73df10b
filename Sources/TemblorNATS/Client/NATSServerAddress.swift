/// One server the client may connect to; `tls` comes from a `tls://` URL and makes the client
/// upgrade the connection after the server's INFO.
public struct NATSServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// A host name or an IP address (IPv6 without brackets).
    public var host: String
    /// The client port, 4222 unless the URL says otherwise.
    public var port: Int
    /// Set by a `tls://` URL: the connection must be upgraded to TLS.
    public var tls: Bool
    /// The user of a `nats://user:pass@host` URL, or the token of `nats://token@host`; used when
    /// the options carry no other authentication.
    public var user: String?
    /// The password of a `nats://user:pass@host` URL.
    public var password: String?

    /// A server by its parts, without credentials.
    public init(host: String, port: Int = 4222, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// Parses `nats://host:port`, `tls://host:port`, `host:port`, `host`, `nats://user:pass@host:port`
    /// and IPv6 as `[::1]:4222`.
    public init(url: String) throws(NATSError) {
        var rest = Substring(url.trimmingWhitespace())
        guard !rest.isEmpty else { throw .badURL("the url is empty; write nats://host:port") }
        tls = false
        if let schemeEnd = rest.firstRange(of: "://") {
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            switch scheme {
            case "nats": tls = false
            case "tls": tls = true
            default: throw .badURL("'\(url)' has the scheme '\(scheme)'; use nats:// or tls://")
            }
            rest = rest[schemeEnd.upperBound...]
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        if rest.contains("/") || rest.contains("?") {
            throw .badURL("'\(url)' has a path or query; a nats url is only scheme://host:port")
        }
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = Self.percentDecoded(credentials[..<colon])
                password = Self.percentDecoded(credentials[credentials.index(after: colon)...])
            } else if !credentials.isEmpty {
                user = Self.percentDecoded(credentials)
            }
        }
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw .badURL("'\(url)' opens an IPv6 address with '[' but never closes it") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .badURL("'\(url)' has '\(after)' after the IPv6 address; expected :port") }
                portText = after.dropFirst()
            }
        } else if rest.filter({ $0 == ":" }).count > 1 {
            // A bare IPv6 address: there is no way to tell a port from its last group.
            host = String(rest)
        } else if let colon = rest.firstIndex(of: ":") {
            host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            host = String(rest)
        }
        guard !host.isEmpty else { throw .badURL("'\(url)' names no host") }
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw .badURL("the port '\(portText)' in '\(url)' is not a number between 1 and 65535")
            }
            port = number
        } else {
            port = 4222
        }
    }

    /// `host:port`, with `tls://` in front for TLS servers; never the credentials.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return (tls ? "tls://" : "") + "\(hostPart):\(port)"
    }

    /// Host and port alone, to tell one server from another whatever the URL said.
    var endpoint: String { "\(host.lowercased()):\(port)" }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    /// The text without spaces, tabs and line breaks at either end.
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return Substring(self[first...last])
    }
}
