import TemblorRuntime

/// A `ws_client`'s `url`: `ws://` or `wss://`, a host, an optional port and path. Parsed once at
/// configuration time so that a typo fails `temblor check`, not the first connection.
struct WebSocketURL: Sendable, Equatable, CustomStringConvertible {
    /// Whether the connection is TLS (`wss://`).
    var secure: Bool
    var host: String
    var port: Int
    /// The request target, `/` at least, with its query.
    var path: String

    static func parse(_ url: String) throws(ConnectorConfigError) -> WebSocketURL {
        let example = "ws://127.0.0.1:8080/path or wss://example.com/path"
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw ConnectorConfigError(key: "url", "expected a ws:// or wss:// url (like \(example)), got '\(url)'")
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "ws" || scheme == "wss" else {
            throw ConnectorConfigError(key: "url", "scheme '\(scheme)' is not supported here; use \(example)")
        }
        let secure = scheme == "wss"
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw ConnectorConfigError(key: "url", "expected [ipv6] or [ipv6]:port after \(scheme)://, got '\(url)'")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw ConnectorConfigError(key: "url", "expected [ipv6]:port, got '\(url)'")
                }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "@" }) else {
            throw ConnectorConfigError(key: "url", "expected a host after \(scheme):// (like \(example)), got '\(url)'")
        }
        var port = secure ? 443 : 80
        if let portText {
            guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ConnectorConfigError(key: "url", "the port must be a number, got '\(portText)' in '\(url)'")
            }
            guard portText.count <= 5, let number = Int(portText), (1...65535).contains(number) else {
                throw ConnectorConfigError(key: "url", "port \(portText) is out of range; use 1...65535")
            }
            port = number
        }
        guard !path.contains(" ") else {
            throw ConnectorConfigError(key: "url", "the path must not contain spaces (percent-encode them as %20), got '\(path)'")
        }
        return WebSocketURL(secure: secure, host: String(host), port: port, path: path)
    }

    /// Whether the host is an IP address rather than a name.
    var hostIsAddress: Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
    }

    /// The url as the client library reads it.
    var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(secure ? "wss" : "ws")://\(shownHost):\(port)\(path)"
    }
}
