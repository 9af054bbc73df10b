import TemblorValue

/// What a connector's plugin may reach, from the flow's `allow: { net, read, write }` (DESIGN §3,
/// Deno's permissions as the model). Nothing is granted by default.
public struct LuaCapabilities: Sendable, Equatable {
    /// Addresses the plugin may connect to, send to or bind.
    public var net: [NetGrant]
    /// Absolute, lexically normalised directories or files the plugin may read (writing grants
    /// reading too); symbolic links are resolved when a call is checked.
    public var read: [String]
    /// Absolute, lexically normalised directories or files the plugin may write or append to.
    public var write: [String]
    /// Where the script's relative paths start: the flow file's directory.
    public var directory: String

    /// One `net` entry: `"host:port"`, `"host:*"` or `"*:port"`; IPv6 hosts in brackets.
    public struct NetGrant: Sendable, Equatable, CustomStringConvertible {
        /// A name or an address; `nil` for `*` (any host).
        public var host: String?
        /// `nil` for `*` (any port).
        public var port: Int?

        public init(host: String?, port: Int?) {
            self.host = host
            self.port = port
        }

        public var description: String {
            let name = host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "*"
            return "\(name):\(port.map(String.init) ?? "*")"
        }
    }

    public init(net: [NetGrant] = [], read: [String] = [], write: [String] = [], directory: String = "/") {
        self.net = net
        self.read = read
        self.write = write
        self.directory = directory
    }

    /// Whether anything at all is granted: a plugin without grants never waits on host I/O.
    public var isEmpty: Bool { net.isEmpty && read.isEmpty && write.isEmpty }

    /// Reads `allow:`; relative paths are taken from `directory` (the flow file's).
    public init(_ value: Value, directory: String) throws(LuaConfigError) {
        self.init(directory: Self.absolute(directory, in: "/"))
        guard case .object(let object) = value else {
            if value.isNull { return }
            throw LuaConfigError(key: "allow", "expected a mapping such as { net: [\"127.0.0.1:6379\"], read: [data], write: [out] }")
        }
        for (key, raw) in object {
            let entries: [String]
            switch raw {
            case .null: entries = []
            case .string(let one): entries = [one]
            case .array(let many):
                var strings: [String] = []
                for entry in many {
                    guard case .string(let s) = entry, !s.isEmpty else {
                        throw LuaConfigError(key: "allow.\(key)", "expected a list of strings, found \(entry)")
                    }
                    strings.append(s)
                }
                entries = strings
            default:
                throw LuaConfigError(key: "allow.\(key)", "expected a list of strings, found \(raw)")
            }
            switch key {
            case "net":
                for entry in entries { net.append(try Self.netGrant(entry)) }
            case "read":
                read += entries.map { Self.absolute($0, in: directory) }
            case "write":
                write += entries.map { Self.absolute($0, in: directory) }
            default:
                throw LuaConfigError(key: "allow.\(key)", "unknown capability; known capabilities are net, read, write")
            }
        }
    }

    static func netGrant(_ entry: String) throws(LuaConfigError) -> NetGrant {
        let hostPart: Substring
        let portPart: Substring
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]"), entry[entry.index(after: close)...].hasPrefix(":") else {
                throw LuaConfigError(key: "allow.net", "'\(entry)': an IPv6 grant is written \"[::1]:9000\"")
            }
            hostPart = entry[entry.index(after: entry.startIndex)..<close]
            portPart = entry[entry.index(close, offsetBy: 2)...]
        } else {
            guard let colon = entry.lastIndex(of: ":"), !entry[..<colon].contains(":") else {
                throw LuaConfigError(key: "allow.net", "'\(entry)': expected \"host:port\", \"host:*\" or \"*:port\"")
            }
            hostPart = entry[..<colon]
            portPart = entry[entry.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw LuaConfigError(key: "allow.net", "'\(entry)': the host is missing") }
        let port: Int?
        if portPart == "*" {
            port = nil
        } else if let number = Int(portPart), (1...65_535).contains(number) {
            port = number
        } else {
            throw LuaConfigError(key: "allow.net", "'\(entry)': the port must be a number from 1 to 65535 or *")
        }
        return NetGrant(host: hostPart == "*" ? nil : String(hostPart), port: port)
    }

    /// `path` made absolute from `directory`, with `.`, `..` and repeated slashes removed
    /// lexically (symbolic links are resolved later, when a call is checked).
    public static func absolute(_ path: String, in directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : directory + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
