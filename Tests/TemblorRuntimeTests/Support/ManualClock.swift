import Synchronization

/// A monotonic clock that moves only when a test says so.
final class ManualClock: Sendable {
    private let ns: Atomic<UInt64>

    init(startNs: UInt64 = 1_000_000_000) {
        ns = Atomic(startNs)
    }

    /// The current reading, in nanoseconds.
    var now: UInt64 { ns.load(ordering: .relaxed) }

    /// A closure reading this clock, as operators take it.
    var read: @Sendable () -> UInt64 { { self.now } }

    func advance(ns delta: UInt64) {
        ns.add(delta, ordering: .relaxed)
    }

    func advance(ms delta: UInt64) {
        advance(ns: delta * 1_000_000)
    }
}
