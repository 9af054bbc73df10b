/// A change of the client's connection, for circuit breakers and logs.
public enum NATSConnectionEvent: Sendable {
    /// `connect()` succeeded with this server.
    case connected(NATSServerAddress)
    /// The connection was lost, for this reason; the client is reconnecting.
    case disconnected(NATSError)
    /// A new connection is up and every subscription is registered on it again.
    case reconnected(NATSServerAddress)
    /// `close()` was called; no event follows.
    case closed
}
