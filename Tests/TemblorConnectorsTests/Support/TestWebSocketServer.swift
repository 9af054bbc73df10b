import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization

/// What a test WebSocket server saw, kept across restarts of the server.
final class WebSocketPeerLog: Sendable {
    private let state = Mutex<(messages: [String], headers: [HTTPFields])>(([], []))

    var messages: [String] { state.withLock { $0.messages } }
    var headers: [HTTPFields] { state.withLock { $0.headers } }

    func record(_ message: String) { state.withLock { $0.messages.append(message) } }
    func record(_ headers: HTTPFields) { state.withLock { $0.headers.append(headers) } }

    /// Waits (at most `seconds`) until `count` messages arrived, and returns them.
    func wait(for count: Int, seconds: Double = 10) async throws -> [String] {
        try await waitUntil(seconds: seconds) { self.messages.count >= count }
        return messages
    }
}

/// A plain Hummingbird WebSocket server on 127.0.0.1, the peer of `ws_client` in tests: it
/// records the upgrade headers and every message, and greets each connection with `greeting`.
final class TestWebSocketServer: Sendable {
    let port: Int
    private let server: Server<HTTP1WebSocketUpgradeChannel>
    private let task: Task<Void, any Error>
    private let writers: Writers

    /// The open connections' writers, to close them when the server stops.
    private final class Writers: Sendable {
        let list = Mutex<[WebSocketOutboundWriter]>([])
    }

    private init(port: Int, server: Server<HTTP1WebSocketUpgradeChannel>, task: Task<Void, any Error>, writers: Writers) {
        self.port = port
        self.server = server
        self.task = task
        self.writers = writers
    }

    static func start(port: Int = 0, log: WebSocketPeerLog, greeting: [WebSocketOutboundWriter.OutboundFrame] = []) async throws -> TestWebSocketServer {
        var logger = Logger(label: "test.websocket-peer")
        logger.logLevel = .warning
        let writers = Writers()
        let child = HTTP1WebSocketUpgradeChannel(
            responder: { _, writer, _ in try await writer.writeResponse(HTTPResponse(status: .notFound)) },
            configuration: .init(ws: WebSocketServerConfiguration(closeTimeout: .seconds(1))),
            shouldUpgrade: { request, _, _ in
                log.record(request.headerFields)
                return .upgrade([:]) { inbound, outbound, _ in
                    writers.list.withLock { $0.append(outbound) }
                    for frame in greeting { try await outbound.write(frame) }
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        switch message {
                        case .text(let text): log.record(text)
                        case .binary(let buffer): log.record(String(buffer: buffer))
                        }
                    }
                }
            })
        let bound = PortBox()
        let server = Server(
            childChannelSetup: child, configuration: ServerConfiguration(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { bound.set($0.localAddress?.port ?? 0) }, eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger)
        let task = Task { try await server.run() }
        let actual = try await bound.wait()
        return TestWebSocketServer(port: actual, server: server, task: task, writers: writers)
    }

    /// Closes every connection (1001, going away) and the listener, and waits until both are gone.
    func stop() async {
        for writer in writers.list.withLock({ $0 }) { try? await writer.close(.goingAway, reason: "test server stopping") }
        try? await server.shutdownGracefully()
        _ = try? await task.value
    }
}
