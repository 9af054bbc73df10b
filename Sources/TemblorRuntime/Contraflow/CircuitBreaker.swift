import DequeModule
import Synchronization

/// A sink's signal that it cannot accept events right now (its connection is down): while the
/// breaker is open, the sources feeding the sink hold their next batch instead of sending it,
/// and resume when the sink closes the breaker again.
public final class CircuitBreaker: Sendable {
    private struct State {
        var open = false
        var waiters: Deque<CheckedContinuation<Void, Never>> = []
    }

    /// The sink the breaker belongs to, for logs.
    public let sink: String
    /// What holds the sources while the breaker is open, as logs say it.
    public let holding: String
    private let state = Mutex(State())

    /// `holding` says what holds the sources while open (by default: the sink is unavailable).
    public init(sink: String, holding: String? = nil) {
        self.sink = sink
        self.holding = holding ?? "\(sink) is unavailable"
    }

    public var isOpen: Bool { state.withLock { $0.open } }

    /// The sink cannot accept events: sources wait before sending more.
    public func open() {
        state.withLock { $0.open = true }
    }

    /// The sink accepts events again: waiting sources go on.
    public func close() {
        let waiters: Deque<CheckedContinuation<Void, Never>> = state.withLock { state in
            state.open = false
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Lets every waiting source go on without closing the breaker (a stopping flow drains).
    private func releaseWaiters() {
        let waiters: Deque<CheckedContinuation<Void, Never>> = state.withLock { state in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at once when closed, else when the sink closes it or the task is cancelled
    /// (a stopping flow must not hang on a sink that never recovers).
    public func waitUntilClosed() async {
        guard isOpen else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if !state.open || Task.isCancelled { return true }
                    state.waiters.append(waiter)
                    return false
                }
                if resumeNow { waiter.resume() }
            }
        } onCancel: {
            releaseWaiters()
        }
    }
}
