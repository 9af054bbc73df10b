import Synchronization

/// The bytes the host holds for one plugin state's sockets, received and not yet read: shared by
/// the state's channels (on any event loop), so that all of them together stay near `limits.ioBuffer`.
final class LuaIOBudget: Sendable {
    /// `limits.ioBuffer`: reading stops once this many bytes wait to be read.
    let capacity: Int
    private let held = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Bytes held now.
    var used: Int { held.load(ordering: .relaxed) }

    /// Whether another read may be started.
    var hasRoom: Bool { used < capacity }

    func add(_ count: Int) {
        held.wrappingAdd(count, ordering: .relaxed)
    }

    func remove(_ count: Int) {
        held.wrappingSubtract(count, ordering: .relaxed)
    }

    /// How the limit reads in a message: `limits.io_buffer_kb` when it is whole kibibytes.
    var limitDescription: String {
        capacity % 1024 == 0 ? "limits.io_buffer_kb is \(capacity >> 10)" : "limits.io_buffer_kb allows \(capacity) bytes"
    }
}
