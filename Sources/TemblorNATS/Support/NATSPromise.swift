import Synchronization

/// A result that one side completes (a PONG, a reply, a timer, a disconnect) and one task
/// awaits; the first completion wins, later ones are dropped, so a reply racing its timeout
/// resumes the waiter exactly once.
final class NATSPromise<Value: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Result<Value, NATSError>, Never>)
        case done(Result<Value, NATSError>)
    }

    private let state = Mutex(State.pending)

    init() {}

    /// Completes the promise unless something completed it already; returns whether this did.
    @discardableResult
    func complete(_ result: Result<Value, NATSError>) -> Bool {
        let (stored, waiter): (Bool, CheckedContinuation<Result<Value, NATSError>, Never>?) = state.withLock { state in
            switch state {
            case .pending:
                state = .done(result)
                return (true, nil)
            case .waiting(let continuation):
                state = .done(result)
                return (true, continuation)
            case .done:
                return (false, nil)
            }
        }
        waiter?.resume(returning: result)
        return stored
    }

    /// Waits for the result; cancelling the waiting task completes it with `cancelled`.
    func value(cancelled: @autoclosure () -> NATSError) async -> Result<Value, NATSError> {
        let onCancel = cancelled()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, NATSError>, Never>) in
                let ready: Result<Value, NATSError>? = state.withLock { state in
                    switch state {
                    case .pending:
                        state = .waiting(continuation)
                        return nil
                    case .done(let result):
                        return result
                    case .waiting:
                        preconditionFailure("a NATSPromise has one waiter")
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            complete(.failure(onCancel))
        }
    }
}
