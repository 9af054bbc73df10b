// Invariants of this file: the watchdog calls `temblor_lua_interrupt` (lua_sethook, which Lua
// allows from another thread) only on a Lua thread registered by `begin` and not yet removed by
// `end`, both under the same lock; the owner re-arms or disarms its hooks after `end`, so a late
// interrupt never outlives the callback it was meant for.
import CLua
import Dispatch
import Synchronization

/// Interrupts callbacks that run past their wall-clock budget: one timer for the whole process.
final class LuaWatchdog: Sendable {
    static let shared = LuaWatchdog()

    /// A Lua thread pointer. Safe to send: it is only handed to `lua_sethook` while registered,
    /// that is while its owner is inside the callback and the state is alive.
    private struct Entry: @unchecked Sendable {
        let thread: OpaquePointer
        let deadline: UInt64
    }

    private let entries = Mutex<[Int: Entry]>([:])
    private let nextToken = Atomic<Int>(0)
    /// Keeps the timer alive. Safe to share: it is configured and resumed in `init`, then never
    /// touched again.
    private struct TimerBox: @unchecked Sendable { let timer: any DispatchSourceTimer }
    private let timer: TimerBox

    private init() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "temblor.lua.watchdog"))
        self.timer = TimerBox(timer: timer)
        timer.schedule(deadline: .now(), repeating: .milliseconds(10), leeway: .milliseconds(5))
        timer.setEventHandler { [self] in interruptOverdue() }
        timer.resume()
    }

    private func interruptOverdue() {
        let now = DispatchTime.now().uptimeNanoseconds
        entries.withLock { entries in
            for (token, entry) in entries where entry.deadline <= now {
                temblor_lua_interrupt(entry.thread)
                entries[token] = nil
            }
        }
    }

    /// Watches a callback about to run on `thread` for at most `milliseconds`; returns its token.
    func begin(_ thread: OpaquePointer, milliseconds: Int) -> Int {
        temblor_lua_clear_interrupt(thread)
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).oldValue
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(milliseconds) * 1_000_000
        entries.withLock { $0[token] = Entry(thread: thread, deadline: deadline) }
        return token
    }

    /// The callback returned: it is no longer watched.
    func end(_ token: Int) {
        _ = entries.withLock { $0.removeValue(forKey: token) }
    }
}
