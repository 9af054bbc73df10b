import Logging
import Synchronization
import TemblorRuntime

/// The one connection a client connector keeps (`tcp_client`, `ws_client`), shared by its sink
/// side (which writes on it) and its source side (which reads what comes back). A background
/// task connects while either side runs, retries with the reconnect strategy after a refusal
/// or a drop, and gives up for good once the strategy's retries are used up. What a connection
/// is, and how it is made and read, is the connector's: `serve` makes one, reports it with
/// `connected`, and returns (or throws) when it ends.
final class ReconnectingLink<Writer: Sendable>: Sendable {
    /// Where the connection stands.
    enum Phase: Sendable {
        /// No side runs yet.
        case idle
        /// An attempt is in flight.
        case connecting
        case connected(Writer, connection: UInt64)
        /// Waiting out a backoff delay before the next attempt.
        case waiting(reason: String)
        /// Retries are used up; the message says so.
        case exhausted(reason: String)
    }

    private struct State {
        var phase: Phase = .idle
        var users = 0
        var loop: Task<Void, Never>?
        /// Counts the connecting tasks started, so a cancelled one never overwrites its successor's phase.
        var generation: UInt64 = 0
        var watchers: [CheckedContinuation<Void, Never>] = []
        /// The sink's breaker: open while waiting to reconnect, so the sources feeding the sink
        /// pause instead of having their events failed.
        var breaker: CircuitBreaker?
        /// Connections made so far: an attempt that raised it got as far as connected.
        var connections: UInt64 = 0
    }

    /// What the link connects to, for messages.
    let target: String
    let strategy: ReconnectStrategy
    let logger: Logger
    private let serve: @Sendable (ReconnectingLink<Writer>, _ generation: UInt64) async throws -> Void
    private let reason: @Sendable (any Error) -> String
    private let exhausted: @Sendable () -> Void
    private let state = Mutex(State())
    private let nextConnection = Atomic<UInt64>(1)

    /// `reason` says in a few words why an attempt or a connection failed; `exhausted` is told
    /// when the retries are used up.
    init(
        target: String, strategy: ReconnectStrategy, logger: Logger, reason: @escaping @Sendable (any Error) -> String,
        exhausted: @escaping @Sendable () -> Void, serve: @escaping @Sendable (ReconnectingLink<Writer>, _ generation: UInt64) async throws -> Void
    ) {
        self.target = target
        self.strategy = strategy
        self.logger = logger
        self.reason = reason
        self.exhausted = exhausted
        self.serve = serve
    }

    /// A side starts using the connection; the first one starts connecting.
    func acquire() {
        state.withLock { state in
            state.users += 1
            guard state.loop == nil else { return }
            if case .exhausted = state.phase { return }
            state.phase = .connecting
            state.generation += 1
            let generation = state.generation
            state.loop = Task { await self.maintain(generation) }
        }
    }

    /// A side is done; when none is left the connection closes.
    func release() {
        let loop: Task<Void, Never>? = state.withLock { state in
            state.users -= 1
            guard state.users == 0 else { return nil }
            defer { state.loop = nil }
            return state.loop
        }
        loop?.cancel()
    }

    /// The phase now.
    var phase: Phase { state.withLock { $0.phase } }

    /// What to write on: waits out an attempt in flight, else says why there is none.
    func writer() async -> Result<(Writer, UInt64), NetworkError> {
        while true {
            switch phase {
            case .connected(let writer, let id):
                return .success((writer, id))
            case .connecting:
                await phaseChange()
            case .idle:
                return .failure(NetworkError("not connected to \(target)"))
            case .waiting(let reason):
                return .failure(NetworkError("not connected to \(target) (\(reason)); retrying"))
            case .exhausted(let reason):
                return .failure(NetworkError(reason))
            }
        }
    }

    /// The sink side hands over its circuit breaker, which follows the connection from then on.
    func attach(_ breaker: CircuitBreaker) {
        let phase: Phase = state.withLock { state in
            state.breaker = breaker
            return state.phase
        }
        Self.update(breaker, for: phase)
    }

    /// `serve` made a connection: writers get `writer` from now on. Returns the connection's id.
    func connected(_ writer: Writer, generation: UInt64) -> UInt64 {
        state.withLock { $0.connections += 1 }
        let id = nextConnection.wrappingAdd(1, ordering: .relaxed).oldValue
        logger.info("connected to \(target)")
        enter(.connected(writer, connection: id), generation)
        return id
    }

    /// The connection `serve` made is gone: nothing is written until the next one.
    func disconnected(generation: UInt64) {
        enter(.waiting(reason: "connection closed"), generation)
    }

    /// Waits until the phase changes (an attempt is bounded by the connect timeout).
    private func phaseChange() async {
        await withCheckedContinuation { (watcher: CheckedContinuation<Void, Never>) in
            let resumeNow: Bool = state.withLock { state in
                switch state.phase {
                case .connecting:
                    state.watchers.append(watcher)
                    return false
                default:
                    return true
                }
            }
            if resumeNow { watcher.resume() }
        }
    }

    private func enter(_ phase: Phase, _ generation: UInt64) {
        let (watchers, breaker) = state.withLock { state in
            guard state.generation == generation else { return ([CheckedContinuation<Void, Never>](), CircuitBreaker?.none) }
            state.phase = phase
            defer { state.watchers = [] }
            return (state.watchers, state.breaker)
        }
        if let breaker { Self.update(breaker, for: phase) }
        for watcher in watchers { watcher.resume() }
    }

    /// Open while a reconnect is pending; closed when connected, and closed for good once the
    /// retries are used up (the sink then fails what arrives, and sources must not wait forever).
    private static func update(_ breaker: CircuitBreaker, for phase: Phase) {
        switch phase {
        case .waiting:
            breaker.open()
        case .connected, .exhausted:
            breaker.close()
        case .idle, .connecting:
            break
        }
    }

    /// Connects, serves the connection until it drops, and retries with backoff, until cancelled
    /// or out of retries.
    private func maintain(_ generation: UInt64) async {
        // Retries since the last connection that succeeded.
        var retry = 0
        var lastError = ""
        while !Task.isCancelled {
            if retry > 0 {
                guard let delay = strategy.delay(beforeRetry: retry) else {
                    let reason = "gave up connecting to \(target) after \(retry - 1) retries: \(lastError)"
                    logger.error("\(reason); events sent to it will fail")
                    enter(.exhausted(reason: reason), generation)
                    exhausted()
                    return
                }
                enter(.waiting(reason: lastError), generation)
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    break
                }
            }
            enter(.connecting, generation)
            let before = state.withLock { $0.connections }
            do {
                try await serve(self, generation)
            } catch {
                if Task.isCancelled { break }
                if state.withLock({ $0.connections }) == before {
                    retry += 1
                    lastError = reason(error)
                    logger.warning("cannot connect to \(target): \(lastError)")
                    continue
                }
                logger.warning("connection to \(target) failed: \(reason(error))")
            }
            if Task.isCancelled { break }
            retry = 1
            lastError = "connection closed"
            logger.warning("connection to \(target) closed; reconnecting")
        }
        if case .exhausted = phase { return }
        enter(.idle, generation)
    }
}
