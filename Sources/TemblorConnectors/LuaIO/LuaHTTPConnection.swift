import NIOCore

/// A connection `temblor.http.request` opened, with the collector of its responses, kept by the
/// session between requests to the same server while the server keeps it alive.
struct LuaHTTPConnection: Sendable {
    let channel: any Channel
    let collector: NIOLoopBound<LuaHTTPResponseCollector>
    /// The server, address and scheme it reaches: a request reuses only a connection to the same.
    let key: String
    /// When it was last given back (it is closed once idle for `LuaIOSession.httpIdleTimeout`).
    var idleSince: ContinuousClock.Instant = .now
}
