/// Where the API listens: `HOST:PORT`, `[IPV6]:PORT`, or `:PORT` for 127.0.0.1.
public struct ApiAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The API's address unless told otherwise: loopback only.
    public static let `default` = ApiAddress(host: "127.0.0.1", port: 9898)

    /// Parses `text`, or says what is wrong with it.
    public init(parsing text: String) throws(ApiAddressError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw ApiAddressError(text, "write an IPv6 address as [ADDRESS]:PORT, say [::1]:9898")
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw ApiAddressError(text, "write HOST:PORT, say 127.0.0.1:9898") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { throw ApiAddressError(text, "write an IPv6 address in brackets, say [::1]:9898") }
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ApiAddressError(text, "the port must be a number from 0 to 65535")
        }
        self.init(host: host.isEmpty ? "127.0.0.1" : String(host), port: port)
    }

    /// Whether only this machine can reach it: 127.0.0.0/8, ::1 or localhost.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// An `--api` address that cannot be parsed.
public struct ApiAddressError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String

    init(_ text: String, _ reason: String) {
        self.text = text
        self.reason = reason
    }

    public var description: String { "'\(text)' is not an address to listen on: \(reason)" }
}
