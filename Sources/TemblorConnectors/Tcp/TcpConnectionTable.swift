import NIOCore
import Synchronization

/// The open connections of one `tcp_server` instance by id, shared by its source side (which
/// accepts and reads them) and its sink side (which answers on them).
final class TcpConnectionTable: Sendable {
    /// Ids are unique in the process, so an id from another server never names one of ours.
    private static let nextId = Atomic<UInt64>(1)

    private let channels = Mutex<[UInt64: any Channel]>([:])
    /// Connections held at once; more are refused.
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Registers a new connection and returns its id, or `nil` when `limit` are already open.
    func admit(_ channel: any Channel) -> UInt64? {
        channels.withLock { table in
            guard table.count < limit else { return nil }
            let id = Self.nextId.wrappingAdd(1, ordering: .relaxed).oldValue
            table[id] = channel
            return id
        }
    }

    /// The connection closed.
    func remove(_ id: UInt64) {
        _ = channels.withLock { $0.removeValue(forKey: id) }
    }

    /// The open connection with this id, if any.
    func channel(_ id: UInt64) -> (any Channel)? {
        channels.withLock { $0[id] }
    }

    /// Every open connection (to close them all at shutdown).
    var all: [any Channel] {
        channels.withLock { Array($0.values) }
    }
}
