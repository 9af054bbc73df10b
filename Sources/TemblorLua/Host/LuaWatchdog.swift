// Invariants of this file: the watchdog calls `temblor_lua_interrupt` (lua_sethook, which Lua
// allows from another thread) only on the Lua thread of a slot whose callback is running (its
// deadline set and passed), under the slot's lock, which `end` takes too: an interrupt never
// lands after its callback returned. The owner re-arms its hooks before every callback, so a
// hook left by an interrupt that came as the callback was returning does no harm.
#if canImport(Glibc)
import Glibc
#endif
import CLua
import Synchronization

/// Interrupts callbacks that run past their wall-clock budget: one thread for the whole process,
/// one slot per plugin state.
final class LuaWatchdog: Sendable {
    static let shared = LuaWatchdog()

    /// One state's running callback. Safe to send: the thread pointer is only handed to
    /// `lua_sethook` while the callback runs (deadline non-zero), under the lock.
    final class Slot: @unchecked Sendable {
        /// A Lua thread pointer; see the file's invariants for why it may cross threads.
        fileprivate struct Thread: @unchecked Sendable { let pointer: OpaquePointer }
        fileprivate struct Running: Sendable {
            var thread: Thread?
            var deadline: UInt64 = 0
        }
        fileprivate let running = Mutex(Running())
        fileprivate let milliseconds: Int

        init(milliseconds: Int) {
            self.milliseconds = milliseconds
        }

        /// A callback is about to run on `thread`.
        func begin(_ thread: OpaquePointer) {
            temblor_lua_clear_interrupt(thread)
            let deadline = LuaWatchdog.nowNs() + UInt64(milliseconds) * 1_000_000
            running.withLock {
                $0.thread = Thread(pointer: thread)
                $0.deadline = deadline
            }
        }

        /// The callback returned.
        func end() {
            running.withLock { $0.deadline = 0 }
        }
    }

    private struct Weak: @unchecked Sendable { weak var slot: Slot? }
    private let slots = Mutex<[ObjectIdentifier: Weak]>([:])
    private init() {
        // A plain thread that wakes every 10 ms: the watchdog must run while every task thread
        // is busy (that is when it is needed).
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            while true {
                usleep(10_000)
                LuaWatchdog.shared.interruptOverdue()
            }
        }, nil)
        precondition(started == 0, "cannot start the Lua watchdog thread")
        pthread_detach(thread)
    }

    static func nowNs() -> UInt64 {
        var time = timespec()
        // The coarse clock (a few milliseconds of resolution) is enough for limits in
        // milliseconds, and costs a fraction of the precise one on every callback.
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// A slot for one state whose callbacks may run `milliseconds` each; watched while it lives.
    func makeSlot(milliseconds: Int) -> Slot {
        let slot = Slot(milliseconds: milliseconds)
        slots.withLock { $0[ObjectIdentifier(slot)] = Weak(slot: slot) }
        return slot
    }

    private func interruptOverdue() {
        let now = Self.nowNs()
        let live = slots.withLock { slots in
            slots = slots.filter { $0.value.slot != nil }
            return slots.values.compactMap(\.slot)
        }
        for slot in live {
            slot.running.withLock { running in
                guard running.deadline != 0, running.deadline <= now, let thread = running.thread else { return }
                // Again at every tick until the callback returned: the running thread updates its
                // hook count while this one sets it, so a single interrupt can be lost.
                temblor_lua_interrupt(thread.pointer)
            }
        }
    }
}
