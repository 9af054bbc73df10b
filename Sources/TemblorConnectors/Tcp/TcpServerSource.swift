import NIOCore
import NIOPosix
import NIOSSL
import TemblorRuntime
import TemblorValue

/// Accepts connections until cancelled; each one is read as its own stream until the peer
/// closes it, then ended, so a partial last frame is reported rather than lost.
struct TcpServerSource: Source {
    let address: HostPort
    /// TLS every accepted connection speaks, when the config asks for it.
    let tls: NIOSSLContext?
    let connections: TcpConnectionTable
    let onBound: (@Sendable (Int) -> Void)?

    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// An accepted connection with its peer, read while the socket is fresh (a socket the peer
    /// already closed no longer knows its address).
    struct Accepted: Sendable {
        var connection: Connection
        var peer: String
    }

    func run(_ context: SourceContext) async throws {
        let server: NIOAsyncChannel<Accepted, Never>
        let tls = self.tls
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                        return Accepted(connection: try Connection(wrappingChannelSynchronously: channel), peer: channel.remoteAddress.peerDescription)
                    }
                }
        } catch {
            throw NetworkError("\(context.name): cannot listen on \(address): \(NetworkError.reason(error))")
        }
        let port = server.channel.localAddress?.port ?? address.port
        context.logger.info("\(context.name): listening on \(HostPort(host: address.host, port: port))")
        onBound?(port)
        do {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        group.addTask { await serve(accepted.connection, peer: accepted.peer, context) }
                    }
                }
            }
        } catch is CancellationError {
        } catch {
            // Accepting failed for good; connections already open were closed with their tasks.
            throw NetworkError("\(context.name): listener on \(address) failed: \(NetworkError.reason(error))")
        }
    }

    /// Reads one connection into its own stream until it closes or the source is cancelled.
    private func serve(_ connection: Connection, peer: String, _ context: SourceContext) async {
        guard let id = connections.admit(connection.channel) else {
            context.logger.warning("\(context.name): refusing \(peer): max_connections (\(connections.limit)) are open")
            try? await connection.channel.close()
            return
        }
        defer { connections.remove(id) }
        var stream: SourceStream
        do {
            stream = try context.openStream(meta: ["peer": .string(peer), "connection": .int(Int64(id))])
        } catch {
            context.logger.error("\(context.name): cannot decode \(peer): \(error)")
            try? await connection.channel.close()
            return
        }
        var bytes: [UInt8] = []
        do {
            try await connection.executeThenClose { inbound, _ in
                for try await buffer in inbound {
                    bytes.removeAll(keepingCapacity: true)
                    bytes.append(contentsOf: buffer.readableBytesView)
                    await stream.receive(bytes[...])
                }
            }
        } catch is CancellationError {
        } catch {
            context.logger.warning("\(context.name): connection \(id) from \(peer) failed: \(NetworkError.reason(error))")
        }
        await stream.end()
    }
}
