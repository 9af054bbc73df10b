import Logging
import TemblorValue

/// The outside world as one plugin state sees it: performs the state's host I/O calls, each
/// checked against the connector's grants and I/O limits, and owns what the state opened, so
/// that closing it (stop, restart, reload) leaves no socket or file behind.
public protocol LuaHostIO: Sendable {
    /// Performs `request`; never throws: failures are results (`nil, err` in Lua). Cancelling
    /// the calling task ends a wait early with a failure.
    func perform(_ request: LuaIORequest) async -> LuaIOResult
    /// Closes every socket and file this state opened; later calls fail with "closed".
    func close() async
}

/// Opens a `LuaHostIO` per plugin state; the connector registry supplies one (networking lives
/// with the native connectors).
public protocol LuaHostIOProvider: Sendable {
    /// `config` is the connector's `config` as the flow gives it: its `tls` mapping (`ca`,
    /// `verify`, `cert`, `key`) says what the state's TLS connections trust and present.
    func session(connector: String, capabilities: LuaCapabilities, limits: LuaLimits, config: Value, logger: Logger) -> any LuaHostIO
}
