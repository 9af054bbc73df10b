import HummingbirdWebSocket
import NIOCore
import Synchronization

/// The open connections of one `ws_server` instance by id, shared by its source side (which
/// accepts and reads them) and its sink side (which answers on them).
final class WebSocketConnectionTable: Sendable {
    /// One upgraded connection: the writer its messages go out through, and its channel, closed
    /// for good when a peer does not answer a close.
    struct Connection: Sendable {
        let writer: WebSocketOutboundWriter
        let channel: any Channel
    }

    private struct State {
        var open: [UInt64: Connection] = [:]
        /// False once the server stops: connections arriving then are closed at once.
        var admitting = true
    }

    /// Ids are unique in the process, so an id from another server never names one of ours.
    private static let nextId = Atomic<UInt64>(1)
    private let state = Mutex(State())

    /// Registers a new connection and returns its id, or `nil` when the server is stopping.
    func admit(_ connection: Connection) -> UInt64? {
        state.withLock { state in
            guard state.admitting else { return nil }
            let id = Self.nextId.wrappingAdd(1, ordering: .relaxed).oldValue
            state.open[id] = connection
            return id
        }
    }

    /// The connection closed.
    func remove(_ id: UInt64) {
        _ = state.withLock { $0.open.removeValue(forKey: id) }
    }

    /// The open connection with this id, if any.
    func connection(_ id: UInt64) -> Connection? {
        state.withLock { $0.open[id] }
    }

    /// Stops admitting connections and returns those open, for the server to close.
    func stopAdmitting() -> [Connection] {
        state.withLock { state in
            state.admitting = false
            return Array(state.open.values)
        }
    }
}
