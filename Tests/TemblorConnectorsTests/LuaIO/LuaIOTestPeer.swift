import NIOCore
import NIOPosix
import Synchronization

/// A TCP server on 127.0.0.1 (port 0, the bound port read back) that the host I/O tests talk to:
/// it echoes, stays silent, or sends something and closes; it records what its clients did.
final class LuaIOTestPeer: Sendable {
    enum Mode: Sendable {
        case echo
        case silent
        case sendThenClose([UInt8])
    }

    private struct State {
        var clients: [any Channel] = []
        var ended = 0
    }

    let mode: Mode
    private let state = Mutex(State())
    private let server = Mutex<(any Channel)?>(nil)

    private init(mode: Mode) {
        self.mode = mode
    }

    /// The port it listens on.
    var port: Int { server.withLock { $0?.localAddress?.port ?? 0 } }

    /// Clients that connected.
    var connected: Int { state.withLock { $0.clients.count } }

    /// Clients whose end of the connection closed (the server saw EOF).
    var ended: Int { state.withLock { $0.ended } }

    static func start(_ mode: Mode) async throws -> LuaIOTestPeer {
        let peer = LuaIOTestPeer(mode: mode)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(PeerHandler(peer: peer)) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        peer.server.withLock { $0 = channel }
        return peer
    }

    /// Sends `bytes` to every connected client.
    func send(_ bytes: [UInt8]) async throws {
        for client in state.withLock({ $0.clients }) {
            try await client.writeAndFlush(client.allocator.buffer(bytes: bytes)).get()
        }
    }

    /// Waits (up to 10 s) until `condition` holds.
    func wait(until condition: @Sendable (LuaIOTestPeer) -> Bool) async throws -> Bool {
        for _ in 0..<1000 {
            if condition(self) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition(self)
    }

    func stop() async {
        let clients = state.withLock { $0.clients }
        for client in clients { try? await client.close() }
        if let channel = server.withLock({ $0 }) { try? await channel.close() }
    }

    fileprivate func accepted(_ channel: any Channel) {
        state.withLock { $0.clients.append(channel) }
    }

    fileprivate func sawEnd() {
        state.withLock { $0.ended += 1 }
    }

    private final class PeerHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let peer: LuaIOTestPeer

        init(peer: LuaIOTestPeer) {
            self.peer = peer
        }

        func channelActive(context: ChannelHandlerContext) {
            peer.accepted(context.channel)
            if case .sendThenClose(let bytes) = peer.mode {
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes))).whenComplete { [channel = context.channel] _ in
                    channel.close(promise: nil)
                }
            }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            if case .echo = peer.mode { context.writeAndFlush(data, promise: nil) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer.sawEnd()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
