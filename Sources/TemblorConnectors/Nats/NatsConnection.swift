import Logging
import NIOSSL
import Synchronization
import TemblorNATS
import TemblorRuntime

/// What a `nats` connector's two sides share: one client (one connection to the cluster, which
/// reconnects by itself with the connector's backoff), the sink's circuit breaker, open while no
/// server answers, and the source's messages in flight, settled before the client closes.
final class NatsConnection: ConnectorLifecycle {
    private struct State {
        var connected = false
        var closed = false
        var breaker: CircuitBreaker?
        var waiters: [CheckedContinuation<Bool, Never>] = []
        var follower: Task<Void, Never>?
        var inFlight: NatsInFlight?
    }

    let config: NatsConfig
    let name: String
    let client: NATSClient
    let reconnect: ReconnectStrategy
    let logger: Logger
    /// The JetStream API on `client`.
    let jetStream: JetStreamContext
    /// Tells this run's event ids apart from every other run's, in ids made from them.
    let run: String
    private let state = Mutex(State())

    init(config: NatsConfig, name: String, reconnect: ReconnectStrategy, tls: NIOSSLContext?, logger: Logger) {
        self.config = config
        self.name = name
        self.reconnect = reconnect
        self.logger = logger
        var options = NATSClientOptions(servers: config.servers)
        options.auth = config.auth
        options.tls = tls
        options.name = "temblor \(name)"
        // The client reconnects by itself, forever: with the strategy's delays, and at its
        // longest once the strategy's retries are used up.
        options.reconnectDelay = { attempt in
            reconnect.delay(beforeRetry: attempt) ?? .milliseconds(reconnect.maxMs)
        }
        client = NATSClient(options: options, logger: logger)
        jetStream = JetStreamContext(client: client)
        run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }

    /// The first connection; the runner retries it with the connector's backoff. From then on
    /// the client reconnects by itself, and the breaker follows it.
    func connect() async throws -> Bool {
        try await client.connect()
        let follow: Bool = state.withLock { state in
            state.connected = true
            defer { if state.follower == nil { state.follower = Task { await self.follow() } } }
            return state.follower == nil
        }
        if follow { logger.info("\(name): connected to nats \(client.serverInfo.map { "server \($0.serverName)" } ?? "")") }
        wakeWaiters(true)
        return true
    }

    /// Everything has drained: settles what the source has in flight, then closes the client.
    func onStop() async {
        let (inFlight, follower) = state.withLock { state in
            state.closed = true
            return (state.inFlight, state.follower)
        }
        await inFlight?.finish()
        await client.close()
        await follower?.value
        wakeWaiters(false)
    }

    /// The sink side hands over its breaker: open while the client is between servers.
    func attach(_ breaker: CircuitBreaker) {
        let connected = state.withLock { state in
            state.breaker = breaker
            return state.connected
        }
        if !connected && client.serverInfo != nil { breaker.open() }
    }

    /// The source side's messages in flight, settled at the stop before the client closes.
    func track(_ inFlight: NatsInFlight) {
        state.withLock { $0.inFlight = inFlight }
    }

    /// Whether the client is connected now.
    var isConnected: Bool { client.isConnected }

    /// Returns true once a connection is up (at once when it is), false once the connector stopped.
    func waitUntilConnected() async -> Bool {
        if client.isConnected { return true }
        return await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
            let answer: Bool? = state.withLock { state in
                if state.closed { return false }
                if state.connected && client.isConnected { return true }
                state.waiters.append(waiter)
                return nil
            }
            if let answer { waiter.resume(returning: answer) }
        }
    }

    /// Follows the client's connection: the breaker opens while it is lost and closes once a
    /// server took it back.
    private func follow() async {
        for await event in client.events {
            switch event {
            case .connected, .reconnected:
                let breaker = state.withLock { state in
                    state.connected = true
                    return state.breaker
                }
                breaker?.close()
                if case .reconnected(let server) = event { logger.info("\(name): reconnected to nats server \(server)") }
                wakeWaiters(true)
            case .disconnected(let reason):
                let breaker = state.withLock { state in
                    state.connected = false
                    return state.breaker
                }
                breaker?.open()
                logger.warning("\(name): lost the nats connection (\(reason)); holding events until a server answers")
            case .closed:
                let breaker = state.withLock { state in
                    state.connected = false
                    state.closed = true
                    return state.breaker
                }
                breaker?.close()
                wakeWaiters(false)
            }
        }
    }

    private func wakeWaiters(_ connected: Bool) {
        let waiters = state.withLock { state in
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: connected) }
    }
}
