import DequeModule
import Logging
import NIOCore
import NIOSSL

/// The event-loop side of a connection: answers INFO with CONNECT (upgrading to TLS first when
/// asked), completes the handshake on the PONG that follows, answers the server's PINGs, sends
/// its own to find a silent connection, and hands messages and the end of the connection to the
/// client.
final class NATSConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = NATSServerFrame
    typealias OutboundOut = ByteBuffer

    /// What the handshake needs from the client's options.
    struct Settings: Sendable {
        var server: NATSServerAddress
        var auth: NATSAuth
        var tls: NIOSSLContext?
        var tlsServerName: String?
        var name: String
        var pingInterval: Duration
        var maxPingsOutstanding: Int
    }

    private enum Phase {
        case awaitingInfo
        case awaitingPong(NATSServerInfo)
        case ready
        case closed
    }

    let handshake: EventLoopPromise<NATSServerInfo>
    /// Set by whoever made the connection, right after making it.
    weak var connection: NATSConnection?

    private let connectionID: UInt64
    private let settings: Settings
    private let client: NATSClient
    private let logger: Logger
    private var phase = Phase.awaitingInfo
    private var context: ChannelHandlerContext?
    /// One entry per PING sent, answered in order: a flush's promise, or nil for keepalive.
    private var pongs: Deque<NATSPromise<Void>?> = []
    private var pingsOutstanding = 0
    private var pingTimer: Scheduled<Void>?
    /// Why the connection is being closed, when this side knows better than "closed".
    private var closeReason: NATSError?
    private var handshakeFinished = false

    init(connectionID: UInt64, settings: Settings, client: NATSClient, logger: Logger, eventLoop: any EventLoop) {
        self.connectionID = connectionID
        self.settings = settings
        self.client = client
        self.logger = logger
        handshake = eventLoop.makePromise()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        // A connect that failed never made the channel active: the handshake ends here.
        finishHandshake(.failure(closeReason ?? .connectionLost("the connection to nats server \(settings.server) closed")))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .message(let message):
            if case .ready = phase { client.route(message) }
        case .ping:
            var pong = context.channel.allocator.buffer(capacity: 6)
            pong.writeNATSPong()
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            switch phase {
            case .awaitingPong(let info):
                phase = .ready
                schedulePing()
                finishHandshake(.success(info))
            case .ready:
                pingsOutstanding = 0
                if let waiter = pongs.popFirst() { waiter?.complete(.success(())) }
            case .awaitingInfo, .closed:
                break
            }
        case .info(let info):
            switch phase {
            case .awaitingInfo:
                answerInfo(info, context: context)
            case .ready, .awaitingPong:
                connection?.update(info)
                client.serverInfoChanged(info, connection: connectionID)
            case .closed:
                break
            }
        case .ok:
            break
        case .error(let text):
            if case .ready = phase, !NATSError.isFatal(serverError: text) {
                logger.warning("nats server refused an operation", metadata: ["nats.server": "\(settings.server)", "nats.error": "\(text)"])
                return
            }
            fail(.serverError(text), context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(Self.describe(error, server: settings.server), context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        connection?.writabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let wasReady: Bool
        if case .ready = phase { wasReady = true } else { wasReady = false }
        phase = .closed
        pingTimer?.cancel()
        pingTimer = nil
        let reason =
            closeReason
            ?? .connectionLost("nats server \(settings.server) closed the connection" + (wasReady ? "" : " during the handshake"))
        while let waiter = pongs.popFirst() { waiter?.complete(.failure(.notConnected)) }
        connection?.markClosed()
        finishHandshake(.failure(reason))
        if wasReady { client.connectionLost(connectionID, reason: reason) }
        context.fireChannelInactive()
    }

    /// Sends a PING for a flush; its PONG completes `promise`.
    func sendPing(_ promise: NATSPromise<Void>) {
        guard case .ready = phase, let context else {
            promise.complete(.failure(.notConnected))
            return
        }
        pongs.append(promise)
        writePing(context)
    }

    /// Fails the handshake (if still under way) and closes the connection.
    func abandonHandshake(_ reason: NATSError) {
        switch phase {
        case .awaitingInfo, .awaitingPong:
            if let context { fail(reason, context: context) } else { finishHandshake(.failure(reason)) }
        case .ready, .closed:
            break
        }
    }

    private func fail(_ reason: NATSError, context: ChannelHandlerContext) {
        if closeReason == nil { closeReason = reason }
        if case .ready = phase {
            logger.warning("nats connection failed", metadata: ["nats.server": "\(settings.server)", "nats.error": "\(reason)"])
        }
        finishHandshake(.failure(reason))
        context.close(promise: nil)
    }

    /// Completes the handshake promise the first time only.
    private func finishHandshake(_ result: Result<NATSServerInfo, NATSError>) {
        guard !handshakeFinished else { return }
        handshakeFinished = true
        switch result {
        case .success(let info): handshake.succeed(info)
        case .failure(let error): handshake.fail(error)
        }
    }

    /// INFO arrived: upgrade to TLS if wanted, then CONNECT and PING.
    private func answerInfo(_ info: NATSServerInfo, context: ChannelHandlerContext) {
        connection?.update(info)
        do {
            let wantsTLS = settings.tls != nil || settings.server.tls
            if wantsTLS || info.tlsRequired {
                if wantsTLS, !info.tlsRequired, !info.tlsAvailable {
                    throw NATSError.tls("nats server \(settings.server) does not offer TLS, but the client requires it (tls:// url or a TLS context)")
                }
                try startTLS(context: context)
            }
            var command = NATSConnectCommand(name: settings.name)
            command.tlsRequired = wantsTLS || info.tlsRequired
            command.headers = info.headers
            command.noResponders = info.headers
            try Self.authenticate(&command, with: settings.auth, server: settings.server, nonce: info.nonce)
            var buffer = context.channel.allocator.buffer(capacity: 256)
            buffer.writeNATSConnect(command)
            buffer.writeNATSPing()
            phase = .awaitingPong(info)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        } catch let error as NATSError {
            fail(error, context: context)
        } catch {
            fail(.tls("\(error)"), context: context)
        }
    }

    private func startTLS(context: ChannelHandlerContext) throws {
        let tlsContext: NIOSSLContext
        if let configured = settings.tls {
            tlsContext = configured
        } else {
            do {
                tlsContext = try NIOSSLContext(configuration: .makeClientConfiguration())
            } catch {
                throw NATSError.tls("cannot make a TLS context with the system's trust roots: \(error)")
            }
        }
        let name = settings.tlsServerName ?? (Self.isIPAddress(settings.server.host) ? nil : settings.server.host)
        do {
            let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: name)
            try context.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            throw NATSError.tls("cannot start TLS with \(settings.server): \(error)")
        }
    }

    /// Fills in the credentials of CONNECT; seeds sign the nonce.
    static func authenticate(_ command: inout NATSConnectCommand, with auth: NATSAuth, server: NATSServerAddress, nonce: String?) throws(NATSError) {
        switch auth {
        case .none:
            if let user = server.user {
                if let password = server.password {
                    command.user = user
                    command.password = password
                } else {
                    command.authToken = user
                }
            }
        case .token(let token):
            command.authToken = token
        case .user(let user, let password):
            command.user = user
            command.password = password
        case .credentials(let jwt, let seed):
            command.jwt = jwt
            command.signature = try signature(seed: seed, nonce: nonce, server: server)
        case .nkey(let seed):
            let key = try NKeySeed(seed)
            command.nkey = try key.publicKey
            command.signature = try signature(seed: seed, nonce: nonce, server: server)
        }
    }

    private static func signature(seed: String, nonce: String?, server: NATSServerAddress) throws(NATSError) -> String {
        guard let nonce else {
            throw .credentials("nats server \(server) sent no nonce to sign; it is not configured for nkey or JWT users")
        }
        return try NKeySeed(seed).signNonce(nonce)
    }

    private func schedulePing() {
        guard let context else { return }
        pingTimer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(settings.pingInterval)) {
            self.pingTick()
        }
    }

    private func pingTick() {
        guard case .ready = phase, let context else { return }
        if pingsOutstanding >= settings.maxPingsOutstanding {
            fail(
                .connectionLost("nats server \(settings.server) answered none of the last \(pingsOutstanding) PINGs (one every \(settings.pingInterval)); the connection is stale"),
                context: context)
            return
        }
        pingsOutstanding += 1
        pongs.append(nil)
        writePing(context)
        schedulePing()
    }

    private func writePing(_ context: ChannelHandlerContext) {
        var ping = context.channel.allocator.buffer(capacity: 6)
        ping.writeNATSPing()
        context.writeAndFlush(wrapOutboundOut(ping), promise: nil)
    }

    /// A channel error in words the user can act on.
    static func describe(_ error: any Error, server: NATSServerAddress) -> NATSError {
        if let error = error as? NATSError { return error }
        if let error = error as? NIOSSLError { return .tls("TLS with nats server \(server) failed: \(error)") }
        if error is BoringSSLError { return .tls("TLS with nats server \(server) failed: \(error)") }
        if let error = error as? IOError { return .connectionLost("connection to nats server \(server) failed: \(error.description)") }
        return .connectionLost("connection to nats server \(server) failed: \(error)")
    }

    private static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
