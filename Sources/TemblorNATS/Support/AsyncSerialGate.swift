import DequeModule
import Synchronization

/// Lets one task at a time through, the others waiting their turn in order: a puller's
/// fetches must not overlap, or one fetch would take the messages another asked for.
final class AsyncSerialGate: Sendable {
    private struct State {
        var busy = false
        var waiters: Deque<CheckedContinuation<Void, Never>> = []
    }

    private let state = Mutex(State())

    init() {}

    /// Waits until the gate is free and takes it. Waiting is not cancellable: each holder
    /// finishes in bounded time.
    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let enterNow = state.withLock { state in
                if state.busy {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if enterNow { continuation.resume() }
        }
    }

    /// Hands the gate to the next waiter, or frees it.
    func leave() {
        let next: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let next = state.waiters.popFirst() { return next }
            state.busy = false
            return nil
        }
        next?.resume()
    }
}
