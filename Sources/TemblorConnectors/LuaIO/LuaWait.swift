import NIOCore

/// Waits for an event-loop operation with a timeout and the calling task's cancellation. Both
/// run `abandon` on the loop before failing the wait, in the same loop turn, so an operation that
/// takes data (a receive) either completes or gives up, never takes data and then reports a timeout.
enum LuaWait {
    private struct TimedOut: Error {}
    private struct Cancelled: Error {}

    /// Runs `start` on `loop` with the promise it must complete (unless the wait already ended),
    /// and waits at most `timeoutMs` milliseconds for it.
    static func run<Value: Sendable>(
        on loop: any EventLoop, timeoutMs: Int,
        start: @escaping @Sendable (EventLoopPromise<Value>) -> Void,
        abandon: @escaping @Sendable (EventLoopPromise<Value>) -> Void = { _ in }
    ) async -> LuaWaited<Value> {
        let promise = loop.makePromise(of: Value.self)
        // Set on the loop once the wait has ended, however it ended.
        let ended = NIOLoopBoundBox.makeEmptyBox(valueType: Bool.self, eventLoop: loop)
        let giveUp: @Sendable (any Error) -> Void = { error in
            loop.execute {
                guard ended.value == nil else { return }
                ended.value = true
                abandon(promise)
                promise.fail(error)
            }
        }
        return await withTaskCancellationHandler {
            loop.execute {
                // Cancelled before it started: nothing to undo.
                guard ended.value == nil else { return }
                let timer = loop.scheduleTask(in: .milliseconds(Int64(max(0, timeoutMs)))) {
                    guard ended.value == nil else { return }
                    ended.value = true
                    abandon(promise)
                    promise.fail(TimedOut())
                }
                promise.futureResult.whenComplete { _ in
                    ended.value = true
                    timer.cancel()
                }
                start(promise)
            }
            if Task.isCancelled { giveUp(Cancelled()) }
            do {
                return .value(try await promise.futureResult.get())
            } catch is TimedOut {
                return .timeout
            } catch is Cancelled {
                return .cancelled
            } catch {
                return .error(error)
            }
        } onCancel: {
            giveUp(Cancelled())
        }
    }

    /// Waits for `future` (whose work goes on regardless when the wait ends early).
    static func future<Value: Sendable>(_ future: EventLoopFuture<Value>, timeoutMs: Int) async -> LuaWaited<Value> {
        await run(on: future.eventLoop, timeoutMs: timeoutMs) { promise in future.cascade(to: promise) }
    }
}
