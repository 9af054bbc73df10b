import Logging
import TemblorLua
import TemblorValue

/// The host I/O of Lua plugins over SwiftNIO and POSIX files: one `LuaIOSession` per plugin state.
public struct LuaIOProvider: LuaHostIOProvider {
    /// Holds nothing itself: every session owns its own sockets and files.
    public init() {}

    /// A session that checks every call against `capabilities` and `limits`, trusts what
    /// `config.tls` says for https, and logs denials to `logger`.
    public func session(connector: String, capabilities: LuaCapabilities, limits: LuaLimits, config: Value, logger: Logger) -> any LuaHostIO {
        LuaIOSession(connector: connector, capabilities: capabilities, limits: limits, tls: config["tls"], logger: logger)
    }
}
