import Logging
import NIOCore
import NIOPosix
import NIOSSL
import TemblorRuntime

/// The one connection a `tcp_client` instance keeps (see `ReconnectingLink`): a TCP connection,
/// over TLS when configured, whose incoming bytes go to the source side as replies.
final class TcpClientLink: Sendable {
    typealias Phase = ReconnectingLink<any Channel>.Phase

    let address: HostPort
    /// What the server sends back, for the source side when it runs.
    let replies = Rendezvous<TcpClientReply>()
    private let link: ReconnectingLink<any Channel>

    init(address: HostPort, strategy: ReconnectStrategy, logger: Logger, tls: NIOSSLContext? = nil) {
        self.address = address
        let replies = self.replies
        link = ReconnectingLink(
            target: address.description, strategy: strategy, logger: logger, reason: NetworkError.reason,
            exhausted: { replies.finish() }
        ) { link, generation in
            try await Self.serveOneConnection(link, generation, address: address, tls: tls, replies: replies)
        }
    }

    /// A side starts using the connection; the first one starts connecting.
    func acquire() { link.acquire() }
    /// A side is done; when none is left the connection closes.
    func release() { link.release() }
    /// The phase now.
    var phase: Phase { link.phase }
    /// The sink side hands over its circuit breaker, which follows the connection from then on.
    func attach(_ breaker: CircuitBreaker) { link.attach(breaker) }

    /// The channel to write on: waits out an attempt in flight, else says why there is none.
    func channelForWriting() async -> Result<(any Channel, UInt64), NetworkError> {
        await link.writer()
    }

    /// Connects once, then forwards what the server sends until the connection closes.
    /// Throws when the connection cannot be made; returns when it closes.
    private static func serveOneConnection(
        _ link: ReconnectingLink<any Channel>, _ generation: UInt64, address: HostPort, tls: NIOSSLContext?, replies: Rendezvous<TcpClientReply>
    ) async throws {
        let serverName = TLSSettings.serverName(for: address.host)
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
        let id = link.connected(client.channel, generation: generation)
        do {
            try await client.executeThenClose { inbound, _ in
                for try await buffer in inbound {
                    await replies.offer(.data(connection: id, peer: peer, bytes: Array(buffer.readableBytesView)))
                }
            }
        } catch {
            link.disconnected(generation: generation)
            await replies.offer(.closed(connection: id))
            throw error
        }
        link.disconnected(generation: generation)
        await replies.offer(.closed(connection: id))
    }
}
