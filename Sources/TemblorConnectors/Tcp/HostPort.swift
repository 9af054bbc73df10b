import TemblorRuntime

/// A connector's `url`: `host:port`, `[ipv6]:port`, or either after `tcp://` or `udp://`.
/// Parsed once at configuration time so that a typo fails `temblor check`, not the first connect.
struct HostPort: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: Int

    /// Reads `url` for a connector speaking `scheme`; `allowAnyPort` admits port 0 (a listener
    /// that lets the system choose).
    static func parse(_ url: String, scheme: String, allowAnyPort: Bool) throws(ConnectorConfigError) -> HostPort {
        let example = allowAnyPort ? "127.0.0.1:4242, or port 0 for any free port" : "127.0.0.1:4242"
        var rest = Substring(url)
        if let range = rest.firstRange(of: "://") {
            let given = rest[..<range.lowerBound]
            guard given == scheme else {
                throw ConnectorConfigError(key: "url", "scheme '\(given)' is not supported here; use \(scheme)://host:port or host:port")
            }
            rest = rest[range.upperBound...]
        }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                throw ConnectorConfigError(key: "url", "expected [ipv6]:port, got '\(url)'")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                throw ConnectorConfigError(key: "url", "expected host:port (like \(example)), got '\(url)'")
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else {
            throw ConnectorConfigError(key: "url", "expected host:port (like \(example)), got '\(url)'")
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ConnectorConfigError(key: "url", "the port must be a number, got '\(portText)' in '\(url)'")
        }
        let lowest = allowAnyPort ? 0 : 1
        guard portText.count <= 5, let port = Int(portText), (lowest...65535).contains(port) else {
            throw ConnectorConfigError(key: "url", "port \(portText) is out of range; use \(lowest)...65535")
        }
        return HostPort(host: String(host), port: port)
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
