import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import TemblorRuntime

/// The one connection a `ws_client` instance keeps, shared by its sink side (which writes
/// messages on it) and its source side (which reads the messages coming back). A background task
/// connects while either side runs, retries with the reconnect strategy after a refusal or a drop,
/// and gives up for good once the strategy's retries are used up.
final class WebSocketClientLink: Sendable {
    /// Where the connection stands.
    enum Phase: Sendable {
        /// No side runs yet.
        case idle
        /// An attempt (connect, TLS, upgrade) is in flight.
        case connecting
        case connected(WebSocketOutboundWriter, connection: UInt64)
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
        /// Connections upgraded so far: an attempt that raised it got as far as a WebSocket.
        var upgrades: UInt64 = 0
    }

    let settings: WebSocketClientConnector.Settings
    let tls: TLSConfiguration?
    let strategy: ReconnectStrategy
    let logger: Logger
    /// What the server sends, for the source side when it runs.
    let replies = Rendezvous<WebSocketClientReply>()
    private let state = Mutex(State())
    private static let nextConnection = Atomic<UInt64>(1)
    /// How long the server has to answer a close before the connection is dropped.
    static let closeTimeout: Duration = .seconds(2)

    init(settings: WebSocketClientConnector.Settings, tls: TLSConfiguration?, strategy: ReconnectStrategy, logger: Logger) {
        self.settings = settings
        self.tls = tls
        self.strategy = strategy
        self.logger = logger
    }

    var url: WebSocketURL { settings.url }

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

    /// A side is done; when none is left the connection closes (with 1000, normal closure).
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

    /// The writer to send on: waits out an attempt in flight, else says why there is none.
    func writerForSending() async -> Result<(WebSocketOutboundWriter, UInt64), NetworkError> {
        while true {
            switch phase {
            case .connected(let writer, let id):
                return .success((writer, id))
            case .connecting:
                await phaseChange()
            case .idle:
                return .failure(NetworkError("not connected to \(url)"))
            case .waiting(let reason):
                return .failure(NetworkError("not connected to \(url) (\(reason)); retrying"))
            case .exhausted(let reason):
                return .failure(NetworkError(reason))
            }
        }
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

    /// The sink side hands over its circuit breaker, which follows the connection from then on.
    func attach(_ breaker: CircuitBreaker) {
        let phase: Phase = state.withLock { state in
            state.breaker = breaker
            return state.phase
        }
        Self.update(breaker, for: phase)
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
                    let reason = "gave up connecting to \(url) after \(retry - 1) retries: \(lastError)"
                    logger.error("\(reason); events sent to it will fail")
                    enter(.exhausted(reason: reason), generation)
                    replies.finish()
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
            let upgradesBefore = state.withLock { $0.upgrades }
            do {
                try await serveOneConnection(generation)
            } catch {
                if Task.isCancelled { break }
                if state.withLock({ $0.upgrades }) == upgradesBefore {
                    retry += 1
                    lastError = Self.reason(error)
                    logger.warning("cannot connect to \(url): \(lastError)")
                    continue
                }
                logger.warning("connection to \(url) failed: \(Self.reason(error))")
            }
            if Task.isCancelled { break }
            retry = 1
            lastError = "connection closed"
            logger.warning("connection to \(url) closed; reconnecting")
        }
        if case .exhausted = phase { return }
        enter(.idle, generation)
    }

    /// Connects once and forwards what the server sends until the connection closes. Throws when
    /// the connection cannot be made or upgraded, or fails later.
    private func serveOneConnection(_ generation: UInt64) async throws {
        let replies = self.replies
        let client = WebSocketClient(
            url: url.description,
            configuration: WebSocketClientConfiguration(
                maxFrameSize: settings.maxMessageBytes, additionalHeaders: settings.headers, closeTimeout: Self.closeTimeout,
                validateUTF8: true),
            tlsConfiguration: tls,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: quietLogger
        ) { inbound, outbound, _ in
            self.state.withLock { $0.upgrades += 1 }
            let id = Self.nextConnection.wrappingAdd(1, ordering: .relaxed).oldValue
            self.logger.info("connected to \(self.url)")
            self.enter(.connected(outbound, connection: id), generation)
            do {
                for try await message in inbound.messages(maxSize: self.settings.maxMessageBytes) {
                    let (bytes, binary) = message.bytesAndKind
                    await replies.offer(.message(connection: id, bytes: bytes, binary: binary))
                }
            } catch {
                self.enter(.waiting(reason: "connection closed"), generation)
                await replies.offer(.closed(connection: id))
                throw error
            }
            self.enter(.waiting(reason: "connection closed"), generation)
            await replies.offer(.closed(connection: id))
        }
        try await client.run()
    }

    /// hummingbird-websocket's own logs (every upgrade, every close) stay below the flow's.
    private var quietLogger: Logger {
        var quiet = Logger(label: logger.label + ".websocket")
        quiet.logLevel = .warning
        return quiet
    }

    /// A short reason for a failed connection: the server refusing the upgrade, a TLS failure, or
    /// the socket error.
    static func reason(_ error: any Error) -> String {
        if let client = error as? WebSocketClientError {
            if client == .webSocketUpgradeFailed { return "the server refused the WebSocket upgrade" }
            return client.description
        }
        if let ssl = error as? NIOSSLError { return "TLS failed: \(ssl)" }
        if let ssl = error as? BoringSSLError { return "TLS failed: \(ssl)" }
        return NetworkError.webSocketReason(error)
    }
}
