/// A call of one of the host's I/O functions, so that a flow's `allow:` grants can be checked
/// against what the plugin may do before it runs.
public struct LuaHostIOCall: Sendable, Equatable {
    /// The grant the function needs: `allow.net`, `allow.read` or `allow.write`.
    public enum Kind: String, Sendable {
        /// Network I/O: `temblor.http`, `temblor.tcp`, `temblor.udp` (`allow.net`).
        case net
        /// Reading files: `temblor.fs.read`, `lines`, `list` (`allow.read`).
        case read
        /// Writing files: `temblor.fs.write`, `append` (`allow.write`).
        case write
    }

    /// The grant the call needs.
    public var kind: Kind
    /// The function's full name, `temblor.http.request`, whatever alias the call went through.
    public var function: String
    /// 1-based line of the call expression's first token.
    public var line: Int
    /// 1-based byte column of the call expression's first token.
    public var column: Int

    /// A call of `function` at `line:column`; the lint makes these, callers compare with them.
    public init(kind: Kind, function: String, line: Int, column: Int) {
        self.kind = kind
        self.function = function
        self.line = line
        self.column = column
    }

    /// The host's I/O functions by full name, with the grant each needs.
    public static let functions: [String: Kind] = [
        "temblor.http.request": .net, "temblor.tcp.connect": .net, "temblor.udp.bind": .net, "temblor.udp.open": .net,
        "temblor.fs.read": .read, "temblor.fs.lines": .read, "temblor.fs.list": .read,
        "temblor.fs.write": .write, "temblor.fs.append": .write,
    ]
}
