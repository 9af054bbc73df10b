import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import TemblorRuntime

/// The one connection a `tcp_client` instance keeps, shared by its sink side (which writes on
/// it) and its source side (which reads what comes back). A background task connects while
/// either side runs, retries with the reconnect strategy after a refusal or a drop, and gives
/// up for good once the strategy's retries are used up.
final class TcpClientLink: Sendable {
    /// Where the connection stands.
    enum Phase: Sendable {
        /// No side runs yet.
        case idle
        /// An attempt is in flight.
        case connecting
        case connected(any Channel, connection: UInt64)
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
    }

    let address: HostPort
    let strategy: ReconnectStrategy
    let logger: Logger
    /// TLS to speak over the connection, when the config asks for it.
    let tls: NIOSSLContext?
    /// What the server sends back, for the source side when it runs.
    let replies = Rendezvous<TcpClientReply>()
    private let state = Mutex(State())
    private static let nextConnection = Atomic<UInt64>(1)

    init(address: HostPort, strategy: ReconnectStrategy, logger: Logger, tls: NIOSSLContext? = nil) {
        self.tls = tls
        self.address = address
        self.strategy = strategy
        self.logger = logger
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

    /// The channel to write on: waits out an attempt in flight, else says why there is none.
    func channelForWriting() async -> Result<(any Channel, UInt64), NetworkError> {
        while true {
            switch phase {
            case .connected(let channel, let id):
                return .success((channel, id))
            case .connecting:
                await phaseChange()
            case .idle:
                return .failure(NetworkError("not connected to \(address)"))
            case .waiting(let reason):
                return .failure(NetworkError("not connected to \(address) (\(reason)); retrying"))
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
                    let reason = "gave up connecting to \(address) after \(retry - 1) retries: \(lastError)"
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
            do {
                try await serveOneConnection(generation)
                retry = 1
                lastError = "connection closed"
                logger.warning("connection to \(address) closed; reconnecting")
            } catch is CancellationError {
                break
            } catch {
                if Task.isCancelled { break }
                retry += 1
                lastError = NetworkError.reason(error)
                logger.warning("cannot connect to \(address): \(lastError)")
            }
        }
        if case .exhausted = phase { return }
        enter(.idle, generation)
    }

    /// Connects once, then forwards what the server sends until the connection closes.
    /// Throws when the connection cannot be made; returns when it closes.
    private func serveOneConnection(_ generation: UInt64) async throws {
        let tls = self.tls
        // TLS's server name is the configured host, unless it is an address (TLS names hosts only).
        let serverName = (try? SocketAddress(ipAddress: address.host, port: 0)) == nil ? address.host : nil
        let (client, handshake) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    var handshake: EventLoopFuture<Void>?
                    if let tls {
                        let done = channel.eventLoop.makePromise(of: Void.self)
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(done: done))
                        handshake = done.futureResult
                    }
                    return (try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel), handshake)
                }
            }
        if let handshake {
            do {
                try await handshake.get()
            } catch {
                try? await client.channel.close()
                throw error
            }
        }
        // A socket the server already closed no longer knows its peer; the configured address stands in.
        let peer = client.channel.remoteAddress?.peerDescription ?? address.description
        let id = Self.nextConnection.wrappingAdd(1, ordering: .relaxed).oldValue
        logger.info("connected to \(address)")
        enter(.connected(client.channel, connection: id), generation)
        do {
            try await client.executeThenClose { inbound, _ in
                for try await buffer in inbound {
                    await replies.offer(.data(connection: id, peer: peer, bytes: Array(buffer.readableBytesView)))
                }
            }
        } catch is CancellationError {
            enter(.waiting(reason: "connection closed"), generation)
            await replies.offer(.closed(connection: id))
            throw CancellationError()
        } catch {
            logger.warning("connection to \(address) failed: \(NetworkError.reason(error))")
        }
        enter(.waiting(reason: "connection closed"), generation)
        await replies.offer(.closed(connection: id))
    }
}
