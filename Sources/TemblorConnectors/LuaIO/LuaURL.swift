/// An `http://` or `https://` URL as `temblor.http.request` takes it: the host (IPv6 without its
/// brackets), the port (80 or 443 unless given) and the request target (path and query; `/`
/// when empty).
struct LuaURL: Sendable, Equatable {
    var host: String
    var port: Int
    var target: String
    /// `https://`: the exchange runs over TLS.
    var secure = false

    /// What the `Host` header says: the port only when it is not the scheme's own.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
    }

    static func parse(_ url: String) -> Result<LuaURL, LuaIOFailure> {
        let bad = { (why: String) in Result<LuaURL, LuaIOFailure>.failure(LuaIOFailure("bad URL '\(url)': \(why)")) }
        let lower = url.lowercased()
        let secure = lower.hasPrefix("https://")
        guard secure || lower.hasPrefix("http://") else { return bad("expected http://host[:port]/path or https://...") }
        var rest = Substring(url).dropFirst(secure ? "https://".count : "http://".count)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        guard !authority.contains("@") else { return bad("credentials in the URL are not supported; send an Authorization header") }
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return bad("an IPv6 address is written http://[::1]:8080/") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return bad("expected :port after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return bad("the host is missing") }
        guard !host.contains(where: { $0 == " " || $0 == "%" || $0 == "\\" }) else { return bad("the host '\(host)' is not valid") }
        guard !target.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            return bad("spaces and line breaks must be percent-encoded")
        }
        var port = secure ? 443 : 80
        if let portText {
            guard portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText), (1...65_535).contains(number) else {
                return bad("the port must be a number from 1 to 65535")
            }
            port = number
        }
        return .success(LuaURL(host: String(host), port: port, target: target, secure: secure))
    }
}
