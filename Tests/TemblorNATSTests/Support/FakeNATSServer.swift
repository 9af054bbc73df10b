import NIOCore
import NIOPosix
import Synchronization

/// A TCP server that speaks just enough NATS to test the client's side of PING/PONG: it
/// sends INFO, answers the first `pongs` PINGs, and can PING the client itself.
final class FakeNATSServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let lines: Lines

    final class Lines: Sendable {
        private let storage = Mutex<[String]>([])
        func append(_ line: String) { storage.withLock { $0.append(line) } }
        var all: [String] { storage.withLock { $0 } }
    }

    private init(port: Int, channel: any Channel, lines: Lines) {
        self.port = port
        self.channel = channel
        self.lines = lines
    }

    /// Every line the client sent.
    var received: [String] { lines.all }

    static func start(pongs: Int, pingsClient: Bool) async throws -> FakeNATSServer {
        let lines = Lines()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(pongs: pongs, pingsClient: pingsClient, lines: lines))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeNATSServer(port: channel.localAddress?.port ?? 0, channel: channel, lines: lines)
    }

    func close() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private var pongs: Int
        private let pingsClient: Bool
        private let lines: Lines
        private var pending = ""

        init(pongs: Int, pingsClient: Bool, lines: Lines) {
            self.pongs = pongs
            self.pingsClient = pingsClient
            self.lines = lines
        }

        func channelActive(context: ChannelHandlerContext) {
            var info = #"INFO {"server_id":"FAKE","server_name":"fake","version":"2.9.10","proto":1,"max_payload":1048576,"headers":true}"#
            info += "\r\n"
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: info)), promise: nil)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += String(buffer: unwrapInboundIn(data))
            while let end = pending.firstRange(of: "\r\n") {
                let line = String(pending[..<end.lowerBound])
                pending = String(pending[end.upperBound...])
                lines.append(line)
                if line == "PING", pongs > 0 {
                    pongs -= 1
                    var answer = "PONG\r\n"
                    if pingsClient { answer += "PING\r\n" }
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
                }
            }
        }
    }
}
