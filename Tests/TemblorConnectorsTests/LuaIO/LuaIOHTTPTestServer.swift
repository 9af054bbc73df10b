import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for the host I/O tests. `/hello` answers with repeated
/// headers, `/echo` sends the request's body and some of its headers back, `/chunked` answers in
/// chunks, `/big` with a body of 4,000 bytes, `/items` lists items 1 to 5 a page at a time
/// (`{"items": [...], "next": cursor}`, `?since=cursor` for what follows).
final class LuaIOHTTPTestServer: Sendable {
    private let server: any Channel
    /// The heads of the requests it received.
    private let heads = Mutex<[HTTPRequestHead]>([])

    private init(server: any Channel) {
        self.server = server
    }

    var port: Int { server.localAddress?.port ?? 0 }
    var requests: [HTTPRequestHead] { heads.withLock { $0 } }

    static func start() async throws -> LuaIOHTTPTestServer {
        let box = Mutex<LuaIOHTTPTestServer?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder { head in box.withLock { $0?.heads.withLock { $0.append(head) } } })
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = LuaIOHTTPTestServer(server: channel)
        box.withLock { $0 = server }
        return server
    }

    func stop() async {
        try? await server.close()
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let record: @Sendable (HTTPRequestHead) -> Void
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(record: @escaping @Sendable (HTTPRequestHead) -> Void) {
            self.record = record
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
                record(head)
            case .body(let part):
                body.append(contentsOf: part.readableBytesView)
            case .end:
                guard let head else { return }
                respond(context, head)
            }
        }

        private func respond(_ context: ChannelHandlerContext, _ request: HTTPRequestHead) {
            var headers = HTTPHeaders()
            var parts: [[UInt8]] = []
            var status = HTTPResponseStatus.ok
            switch request.uri {
            case "/hello?x=1", "/hello":
                headers.add(name: "X-Test", value: "a")
                headers.add(name: "X-Test", value: "b")
                headers.add(name: "Content-Type", value: "text/plain")
                parts = [Array("hello".utf8)]
            case "/echo":
                status = .created
                headers.add(name: "X-Method", value: request.method.rawValue)
                headers.add(name: "X-In", value: request.headers["x-in"].joined(separator: ","))
                parts = [body]
            case "/chunked":
                headers.add(name: "Transfer-Encoding", value: "chunked")
                parts = [Array("ab".utf8), Array("cd".utf8), Array("ef".utf8)]
            case let uri where uri.hasPrefix("/items"):
                let since = uri.split(separator: "=").last.flatMap { Int($0) } ?? 0
                let last = min(since + 3, 5)
                let items = since < last ? (since + 1...last).map { #"{"id":\#($0),"name":"item \#($0)"}"# } : []
                headers.add(name: "Content-Type", value: "application/json")
                parts = [Array(#"{"items":[\#(items.joined(separator: ","))],"next":\#(last)}"#.utf8)]
            case "/big":
                parts = [[UInt8](repeating: UInt8(ascii: "x"), count: 4_000)]
            default:
                status = .notFound
                parts = [Array("no such page".utf8)]
            }
            if !headers.contains(name: "Transfer-Encoding") {
                headers.add(name: "Content-Length", value: String(parts.reduce(0) { $0 + $1.count }))
            }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            for part in parts {
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: part)))), promise: nil)
            }
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                channel.close(promise: nil)
            }
        }
    }
}
