import Dispatch
import Synchronization
import TemblorLua

/// Real host I/O for a plugin under test: the test runs on one thread, synchronously, so it
/// waits here while the session does the work on its own event loops.
enum BlockingIO {
    static func perform(_ request: LuaIORequest, on session: any LuaHostIO) -> LuaIOResult {
        let wait = Wait()
        Task {
            let result = await session.perform(request)
            wait.finish(result)
        }
        return wait.result()
    }

    static func close(_ session: any LuaHostIO) {
        let wait = Wait()
        Task {
            await session.close()
            wait.finish(.values([]))
        }
        _ = wait.result()
    }

    /// One result handed from the task to the waiting thread.
    private final class Wait: Sendable {
        private let value = Mutex<LuaIOResult?>(nil)
        private let done = DispatchSemaphore(value: 0)

        func finish(_ result: LuaIOResult) {
            value.withLock { $0 = result }
            done.signal()
        }

        func result() -> LuaIOResult {
            done.wait()
            return value.withLock { $0 } ?? .failure("closed")
        }
    }
}
