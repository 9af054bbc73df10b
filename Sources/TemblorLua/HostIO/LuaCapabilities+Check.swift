import CoreMetrics
import Logging
import TemblorValue

extension LuaCapabilities {
    /// The three kinds of grant, as `allow:` names them.
    public enum Kind: String, Sendable, CaseIterable {
        case net, read, write
    }

    /// Whether a connector's `allow:` grants anything (its callbacks then run as coroutines that
    /// can wait, one event at a time); an `allow:` that does not parse grants nothing.
    public static func grantsAnything(_ allow: Value) -> Bool {
        guard let capabilities = try? LuaCapabilities(allow, directory: "/") else { return false }
        return !capabilities.isEmpty
    }

    /// Whether the flow grants anything at all of `kind` (writing a place grants reading it).
    public func grantsAny(_ kind: Kind) -> Bool {
        switch kind {
        case .net: !net.isEmpty
        case .read: !read.isEmpty || !write.isEmpty
        case .write: !write.isEmpty
        }
    }

    /// Logs and counts a denied call (`temblor_lua_denied_total{connector, capability}`, made on
    /// the first denial, so that connectors never denied anything add no series) and returns
    /// its message, for whichever side refused it: the plugin at once, or the host after a lookup.
    public static func recordDenial(
        _ kind: Kind, of target: String, connector: String, logger: Logger, metrics: any MetricsFactory = MetricsScope.current
    ) -> String {
        let message = denial(kind, of: target, connector: connector)
        logger.warning("\(message)", metadata: ["connector": "\(connector)", "capability": "\(kind.rawValue)"])
        Counter(
            label: "temblor_lua_denied_total", dimensions: [("connector", connector), ("capability", kind.rawValue)], factory: metrics
        ).increment()
        return message
    }

    /// The message of a denied call: what was refused and what the flow must grant.
    public static func denial(_ kind: Kind, of target: String, connector: String) -> String {
        switch kind {
        case .net where target.contains(":"):
            "net access to \(target) is not granted to connector '\(connector)'; add \"\(target)\" to its allow.net"
        case .net:
            "net access (\(target)) is not granted to connector '\(connector)'; add the addresses it may reach to its allow.net"
        case .read:
            "read access to \(target) is not granted to connector '\(connector)'; add the file or a directory holding it to its allow.read"
        case .write:
            "write access to \(target) is not granted to connector '\(connector)'; add the file or a directory holding it to its allow.write"
        }
    }
}

extension LuaIORequest {
    /// The grant the call needs and what it reaches, for calls that reach something new
    /// (handles were checked when opened).
    public var capability: (kind: LuaCapabilities.Kind, target: String)? {
        switch self {
        case .tcpConnect(let host, let port, _, _), .udpBind(let host, let port), .udpSendTo(_, _, let host, let port, _):
            (.net, host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        case .udpOpen: (.net, "a UDP socket")
        case .httpRequest(let request): (.net, Self.authority(of: request.url))
        case .fsRead(let path), .fsList(let path), .fsOpenLines(let path): (.read, path)
        case .fsWrite(let path, _, _): (.write, path)
        case .tcpSend, .tcpReceive, .udpReceiveFrom, .close, .fsNextLine, .sleep: nil
        }
    }

    /// `host:port` of a URL, the port defaulting to the scheme's, for messages about grants.
    static func authority(of url: String) -> String {
        var afterScheme = url[...]
        if let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") {
            afterScheme = url[url.index(colon, offsetBy: 3)...]
        }
        let authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last ?? authority
        if hostPort.hasSuffix("]") || !hostPort.contains(":") {
            return "\(hostPort):\(url.hasPrefix("https:") ? 443 : 80)"
        }
        return String(hostPort)
    }
}
