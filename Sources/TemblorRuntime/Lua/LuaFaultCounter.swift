import TemblorLua

/// A plugin's fault record under its policy: what each error and success means for its state.
/// Shared by Lua connectors and Lua operators, so both restart and give up alike.
struct LuaFaultCounter {
    /// What to do with the state after an error.
    enum Verdict: Equatable {
        /// Keep it: the error failed one event only.
        case keep
        /// Drop it and start a fresh one after `afterMs` (the backoff, doubling at each restart).
        case restart(afterMs: Int)
        /// Drop it for good: it failed `maxRestarts` restarts in a row.
        case stop
    }

    let policy: LuaFaultPolicy
    /// Restarts since the plugin last counted as healthy.
    private(set) var restarts = 0
    private var consecutiveErrors = 0
    private var successesSinceRestart = 0
    private var backoffMs: Int

    init(policy: LuaFaultPolicy) {
        self.policy = policy
        backoffMs = policy.initialBackoffMs
    }

    /// Counts an error. `running` is false when the state could not even start (loading or
    /// restarting failed), which always counts as a restart.
    mutating func failed(_ error: LuaError, running: Bool) -> Verdict {
        consecutiveErrors += 1
        successesSinceRestart = 0
        guard !running || error.isLimit || consecutiveErrors >= policy.maxConsecutiveErrors else { return .keep }
        consecutiveErrors = 0
        restarts += 1
        if restarts > policy.maxRestarts { return .stop }
        let delay = backoffMs
        backoffMs = min(backoffMs * 2, policy.maxBackoffMs)
        return .restart(afterMs: delay)
    }

    /// Counts successful calls; enough of them after a restart and the plugin is healthy again.
    mutating func succeeded(_ calls: Int = 1) {
        consecutiveErrors = 0
        successesSinceRestart += calls
        if successesSinceRestart >= policy.successesToForgive, restarts > 0 {
            restarts = 0
            backoffMs = policy.initialBackoffMs
        }
    }
}
