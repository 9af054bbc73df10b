import Synchronization

/// Wakes the tasks waiting for something a wal changed (records published, space freed).
/// A waiter passes the generation it saw, so a change between its look and its wait is not missed.
public final class WalSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    public init() {}

    /// The generation to pass to `wait`, read before looking at what the waiter waits for.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Returns once the generation moved past `seen` (at once when it already has), or the task was cancelled.
    public func wait(after seen: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.generation != seen || Task.isCancelled { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            fire()
        }
    }

    /// Something changed: every waiter goes on.
    public func fire() {
        let waiters = state.withLock { state in
            state.generation &+= 1
            let waiting = state.waiters
            state.waiters = []
            return waiting
        }
        for waiter in waiters { waiter.resume() }
    }
}
