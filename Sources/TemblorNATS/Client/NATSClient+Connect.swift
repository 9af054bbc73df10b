import Logging
import NIOCore
import NIOPosix

extension NATSClient {
    /// Tries every configured server once, in order, and returns with the first that lets the
    /// client in; throws `.noServerAvailable` naming each server and why it failed. From then
    /// on the client reconnects by itself (through the configured and discovered servers,
    /// waiting `reconnectDelay` between attempts) until `close()`, subscribing every live
    /// subscription again with its sid. Returns at once when already connected; throws
    /// `.notConnected` while an earlier connect or a reconnect is under way, `.closed` after
    /// `close()`.
    public func connect() async throws(NATSError) {
        let servers: [NATSServerAddress]? = try state.withLock { (state) throws(NATSError) in
            switch state.phase {
            case .closed: throw .closed
            case .connected: return nil
            case .connecting, .reconnecting: throw .notConnected
            case .idle:
                state.phase = .connecting
                return state.rotation.servers
            }
        }
        guard let servers else { return }
        var failures: [(NATSServerAddress, String)] = []
        for server in servers {
            let connection: NATSConnection
            do {
                connection = try await establish(to: server)
            } catch {
                failures.append((server, error.reason))
                continue
            }
            switch install(connection) {
            case .installed:
                return
            case .clientClosed:
                await connection.close()
                throw .closed
            case .connectionClosed:
                failures.append((server, "closed the connection right after the handshake"))
            }
        }
        let closed = state.withLock { state in
            if case .connecting = state.phase { state.phase = .idle }
            if case .closed = state.phase { return true }
            return false
        }
        throw closed ? .closed : .noServerAvailable(failures)
    }

    /// Why one attempt to connect failed, worded to follow "nats server host:port".
    struct ConnectFailure: Error {
        var reason: String
        var error: NATSError?
    }

    enum InstallResult {
        case installed
        case clientClosed
        case connectionClosed
    }

    /// Makes `connection` the current one and queues a SUB for every live subscription.
    func install(_ connection: NATSConnection) -> InstallResult {
        state.withLock { state in
            switch state.phase {
            case .connecting, .reconnecting: break
            case .closed: return .clientClosed
            case .idle, .connected: return .clientClosed
            }
            guard !connection.isClosed else { return .connectionClosed }
            state.phase = .connected(connection)
            state.serverInfo = connection.serverInfo
            state.rotation.use(connection.server)
            if options.discoverServers, let info = connection.serverInfo {
                state.rotation.add(discovered: info.connectURLs, tls: connection.server.tls)
            }
            for sid in state.subscriptions.keys.sorted() {
                guard let subscription = state.subscriptions[sid] else { continue }
                try? connection.send { $0.writeNATSSubscribe(subject: subscription.subject, queue: subscription.queue, sid: sid) }
            }
            if let inbox = state.requestInbox {
                try? connection.send { $0.writeNATSSubscribe(subject: inbox.prefix + "*", queue: nil, sid: inbox.sid) }
            }
            if !state.everConnected {
                state.everConnected = true
                eventSink.yield(.connected(connection.server))
            }
            return .installed
        }
    }

    /// Connects to `server` and completes the handshake (INFO, TLS, CONNECT, PONG).
    func establish(to server: NATSServerAddress) async throws(ConnectFailure) -> NATSConnection {
        let id = connectionIDs.wrappingAdd(1, ordering: .relaxed).oldValue
        let settings = NATSConnectionHandler.Settings(
            server: server, auth: options.auth, tls: options.tls, tlsServerName: options.tlsServerName, name: options.name,
            pingInterval: options.pingInterval, maxPingsOutstanding: max(options.maxPingsOutstanding, 1))
        let logger = logger
        let connection: NATSConnection
        do {
            connection = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(options.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: server.host, port: server.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = NATSConnectionHandler(
                            connectionID: id, settings: settings, client: self, logger: logger, eventLoop: channel.eventLoop)
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NATSFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(handler)
                        let connection = NATSConnection(
                            id: id, server: server, channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                            handshake: handler.handshake.futureResult)
                        handler.connection = connection
                        return connection
                    }
                }
        } catch {
            throw ConnectFailure(reason: Self.describeConnectError(error, timeout: options.connectTimeout))
        }
        let timeout = options.connectTimeout
        let timer = connection.eventLoop.scheduleTask(in: TimeAmount(timeout)) { connection.abandonHandshake(after: timeout) }
        defer { timer.cancel() }
        do {
            _ = try await connection.handshake.get()
            return connection
        } catch {
            await connection.close()
            let failure = error as? NATSError ?? .connectionLost("\(error)")
            throw ConnectFailure(reason: Self.describeHandshakeError(failure), error: failure)
        }
    }

    private static func describeConnectError(_ error: any Error, timeout: Duration) -> String {
        if case ChannelError.connectTimeout = error { return "did not accept a connection within \(timeout)" }
        let text = "\(error)"
        if text.contains("refused") || text.contains("ECONNREFUSED") || text.contains("errno: 111") {
            return "refused the connection (is nats-server running and listening there?)"
        }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return "could not be connected to: \(first.error)" }
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "could not be resolved: \(dns)" }
        }
        return "could not be connected to: \(text)"
    }

    private static func describeHandshakeError(_ error: NATSError) -> String {
        switch error {
        case .serverError(let text):
            let lowered = text.lowercased()
            if lowered.contains("authorization") || lowered.contains("authentication") {
                return "refused the credentials: '\(text)'; check the token, user/password or credentials"
            }
            return "refused the connection: '\(text)'"
        case .tls(let what):
            return "failed the TLS upgrade: \(what)"
        case .credentials(let what):
            return "could not be authenticated with: \(what)"
        case .timeout(let what):
            return "timed out: \(what)"
        case .connectionLost(let what):
            return "failed: \(what)"
        default:
            return "failed the handshake: \(error)"
        }
    }
}
