import Synchronization

/// A result that the first of several racing tasks sets and one task waits for: the server's own
/// end, or a deadline giving up on it, whichever comes first.
final class Completion<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: CheckedContinuation<Value, Never>?
    }

    private let state = Mutex(State())

    /// Sets the value unless one was set already, and wakes the waiter.
    func complete(_ value: Value) {
        let waiter: CheckedContinuation<Value, Never>? = state.withLock { state in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    /// The value, once set (one waiter at a time).
    var value: Value {
        get async {
            await withCheckedContinuation { (waiter: CheckedContinuation<Value, Never>) in
                let ready: Value? = state.withLock { state in
                    if let value = state.value { return value }
                    state.waiter = waiter
                    return nil
                }
                if let ready { waiter.resume(returning: ready) }
            }
        }
    }
}
