import HTTPTypes
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import TemblorRuntime
import TemblorValue

/// Accepts WebSocket connections until cancelled; each one is a stream whose messages are decoded
/// one whole message at a time. On cancel the listener closes, and every connection, once what it
/// sent was emitted, is closed with 1001 (going away).
struct WebSocketServerSource: Source {
    let settings: WebSocketServerConnector.Settings
    let connections: WebSocketConnectionTable
    let onBound: (@Sendable (Int) -> Void)?

    /// How long a peer has to answer a close before its connection is dropped.
    static let closeTimeout: Duration = .seconds(2)
    /// How long a stopping server waits for its connections before it gives up on them.
    static let stopDeadline: Duration = .seconds(5)

    func run(_ context: SourceContext) async throws {
        // Hummingbird's own chatter (every upgrade, every close) stays below the flow's logs.
        var logger = Logger(label: "temblor.connector.\(context.name).websocket")
        logger.logLevel = .warning
        let maxMessageBytes = settings.maxMessageBytes
        let child = HTTP1WebSocketUpgradeChannel(
            responder: { _, writer, _ in
                // A plain HTTP request is told what this endpoint speaks.
                let head = HTTPResponse(status: .upgradeRequired, headerFields: [.upgrade: "websocket", .contentType: "text/plain"])
                try await writer.write(response: head, body: ResponseBody(byteBuffer: ByteBuffer(string: "this endpoint speaks WebSocket only\n")))
            },
            configuration: .init(
                http1: .init(idleTimeout: .seconds(30)),
                ws: WebSocketServerConfiguration(
                    maxFrameSize: maxMessageBytes, closeTimeout: Self.closeTimeout, validateUTF8: true)),
            shouldUpgrade: { _, channel, _ in
                // Read while the socket is fresh: a socket the peer already closed no longer knows its address.
                let peer = channel.remoteAddress.peerDescription
                return .upgrade([:]) { inbound, outbound, _ in
                    try await serve(inbound, outbound, channel: channel, peer: peer, context)
                }
            })
        if let tls = settings.tls {
            let configuration: TLSConfiguration
            do {
                configuration = try tls.serverConfiguration()
            } catch {
                throw NetworkError("\(context.name): \(error)")
            }
            try await listen(try TLSChannel(child, tlsConfiguration: configuration), logger: logger, context)
        } else {
            try await listen(child, logger: logger, context)
        }
    }

    /// Runs the server until the source is cancelled, then stops it and waits for its connections.
    private func listen<Child: ServerChildChannel>(_ child: Child, logger: Logger, _ context: SourceContext) async throws {
        let address = settings.address
        let scheme = settings.tls == nil ? "ws" : "wss"
        let onBound = self.onBound
        let server = Server(
            childChannelSetup: child,
            configuration: ServerConfiguration(
                address: .hostname(address.host, port: address.port),
                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections, logger: logger)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                context.logger.info("\(context.name): listening on \(scheme)://\(HostPort(host: address.host, port: port))")
                onBound?(port)
            },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger)
        let outcome = Completion<Result<Void, any Error>>()
        // Not a child task: cancelling the source must not cancel the connections' tasks before
        // they have emitted what they received; `stop` ends them in order.
        let running = Task {
            do {
                try await server.run()
                outcome.complete(.success(()))
            } catch {
                outcome.complete(.failure(error))
            }
        }
        let connections = self.connections
        let result = await withTaskCancellationHandler {
            await outcome.value
        } onCancel: {
            Task { await Self.stop(server, running: running, outcome: outcome, connections: connections) }
        }
        if case .failure(let error) = result, !Task.isCancelled {
            throw NetworkError("\(context.name): cannot listen on \(address): \(NetworkError.reason(error))")
        }
    }

    /// Closes the listener and every connection (1001), and gives up on connections that do not
    /// close within the deadline.
    private static func stop<Child: ServerChildChannel>(
        _ server: Server<Child>, running: Task<Void, Never>, outcome: Completion<Result<Void, any Error>>,
        connections: WebSocketConnectionTable
    ) async {
        for connection in connections.stopAdmitting() { close(connection) }
        let deadline = Task {
            try await Task.sleep(for: stopDeadline)
            // Connections still emitting (a sink downstream holding them) are cancelled.
            running.cancel()
            try await Task.sleep(for: .seconds(1))
            outcome.complete(.success(()))
        }
        try? await server.shutdownGracefully()
        await running.value
        deadline.cancel()
    }

    /// Sends a close (1001) and drops the connection if the peer does not answer in time.
    private static func close(_ connection: WebSocketConnectionTable.Connection) {
        let channel = connection.channel
        let timeout = TimeAmount.nanoseconds(Int64(closeTimeout.components.seconds) * 1_000_000_000)
        let forced = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in forced.cancel() }
        Task { try? await connection.writer.close(.goingAway, reason: "server stopping") }
    }

    /// Why a connection is being closed, in the words of the close code hummingbird-websocket
    /// chose (its error type is not public, only its description).
    static func describe(_ error: any Error, limit: Int) -> String {
        if let frame = error as? NIOWebSocketError, frame == .invalidFrameLength {
            return "a message over max_message_bytes (\(limit) bytes): 1009"
        }
        let text = String(describing: error)
        if text.contains("messageTooLarge") { return "a message over max_message_bytes (\(limit) bytes): 1009" }
        if text.contains("dataInconsistentWithMessage") { return "a text message that is not UTF-8: 1007" }
        if text.contains("protocolError") { return "a WebSocket protocol error: 1002" }
        return NetworkError.webSocketReason(error)
    }

    /// Reads one connection's messages into its own stream until it closes; errors go back to
    /// hummingbird-websocket, which closes the connection with the code they call for (1009 for
    /// a message over `max_message_bytes`, 1002 for a protocol error, 1007 for text that is not UTF-8).
    private func serve(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, channel: any Channel, peer: String,
        _ context: SourceContext
    ) async throws {
        guard let id = connections.admit(.init(writer: outbound, channel: channel)) else {
            try await outbound.close(.goingAway, reason: "server stopping")
            return
        }
        defer { connections.remove(id) }
        var stream: SourceStream
        do {
            stream = try context.openStream()
        } catch {
            context.logger.error("\(context.name): cannot decode \(peer): \(error)")
            try await outbound.close(.unexpectedServerError, reason: "cannot decode")
            return
        }
        context.logger.debug("\(context.name): connection \(id) from \(peer)")
        let ws: Value = ["connection": .int(Int64(truncatingIfNeeded: id)), "peer": .string(peer)]
        var text = ws
        text["binary"] = false
        var binary = ws
        binary["binary"] = true
        let textMeta: Value = ["ws": text]
        let binaryMeta: Value = ["ws": binary]
        do {
            for try await message in inbound.messages(maxSize: settings.maxMessageBytes) {
                let (bytes, isBinary) = message.bytesAndKind
                var outcomes = stream.decodeMessage(bytes[...])
                await stream.send(&outcomes, meta: isBinary ? binaryMeta : textMeta)
            }
        } catch {
            context.logger.warning("\(context.name): closing connection \(id) from \(peer): \(Self.describe(error, limit: settings.maxMessageBytes))")
            throw error
        }
    }
}
