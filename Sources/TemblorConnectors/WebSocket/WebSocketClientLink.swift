import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import TemblorRuntime

/// The one connection a `ws_client` instance keeps (see `ReconnectingLink`): a WebSocket, over
/// TLS for `wss://`, whose messages go to the source side as replies.
final class WebSocketClientLink: Sendable {
    typealias Phase = ReconnectingLink<WebSocketOutboundWriter>.Phase

    let settings: WebSocketClientConnector.Settings
    /// What the server sends, for the source side when it runs.
    let replies = Rendezvous<WebSocketClientReply>()
    private let core: ReconnectingLink<WebSocketOutboundWriter>
    /// How long the server has to answer a close before the connection is dropped.
    static let closeTimeout: Duration = .seconds(2)

    init(settings: WebSocketClientConnector.Settings, tls: TLSConfiguration?, strategy: ReconnectStrategy, logger: Logger) {
        self.settings = settings
        let replies = self.replies
        core = ReconnectingLink<WebSocketOutboundWriter>(
            target: settings.url.description, strategy: strategy, logger: logger, reason: Self.reason,
            exhausted: { replies.finish() }
        ) { link, generation in
            try await Self.serveOneConnection(link, generation, settings: settings, tls: tls, replies: replies, logger: logger)
        }
    }

    var url: WebSocketURL { settings.url }

    /// A side starts using the connection; the first one starts connecting.
    func acquire() { core.acquire() }
    /// A side is done; when none is left the connection closes (with 1000, normal closure).
    func release() { core.release() }
    /// The phase now.
    var phase: Phase { core.phase }
    /// The sink side hands over its circuit breaker, which follows the connection from then on.
    func attach(_ breaker: CircuitBreaker) { core.attach(breaker) }

    /// The writer to send on: waits out an attempt in flight, else says why there is none.
    func writerForSending() async -> Result<(WebSocketOutboundWriter, UInt64), NetworkError> {
        await core.writer()
    }

    /// Connects once and forwards what the server sends until the connection closes. Throws when
    /// the connection cannot be made or upgraded, or fails later.
    private static func serveOneConnection(
        _ link: ReconnectingLink<WebSocketOutboundWriter>, _ generation: UInt64, settings: WebSocketClientConnector.Settings,
        tls: TLSConfiguration?, replies: Rendezvous<WebSocketClientReply>, logger: Logger
    ) async throws {
        let url = settings.url
        let client = WebSocketClient(
            url: url.description,
            configuration: WebSocketClientConfiguration(
                maxFrameSize: settings.maxMessageBytes, additionalHeaders: settings.headers, closeTimeout: Self.closeTimeout,
                validateUTF8: true),
            tlsConfiguration: tls,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: quiet(logger)
        ) { inbound, outbound, _ in
            let id = link.connected(outbound, generation: generation)
            do {
                for try await message in inbound.messages(maxSize: settings.maxMessageBytes) {
                    let (bytes, binary) = message.bytesAndKind
                    await replies.offer(.message(connection: id, bytes: bytes, binary: binary))
                }
            } catch {
                link.disconnected(generation: generation)
                await replies.offer(.closed(connection: id))
                throw error
            }
            link.disconnected(generation: generation)
            await replies.offer(.closed(connection: id))
        }
        try await client.run()
    }

    /// hummingbird-websocket's own logs (every upgrade, every close) stay below the flow's.
    private static func quiet(_ logger: Logger) -> Logger {
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
