import Foundation
import HTTPTypes
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A plain Hummingbird server on 127.0.0.1 that answers as the test's `behaviour` says and
/// records what it was sent: the peer of the http_client under test.
final class HttpTestServer: Sendable {
    struct Seen: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
        var peer: String
        var at: ContinuousClock.Instant
    }

    struct Answer: Sendable {
        var status: Int = 200
        var headers: [String: String] = ["content-type": "application/json"]
        var body: String = ""
        var delay: Duration = .zero
    }

    typealias Behaviour = @Sendable (_ index: Int, _ seen: Seen) -> Answer

    private let seenBox = Mutex<[Seen]>([])
    private let inFlight = Mutex<(now: Int, most: Int)>((0, 0))
    private let behaviour: Behaviour
    private let task: Mutex<Task<Void, any Error>?> = Mutex(nil)
    let port: Int

    var seen: [Seen] { seenBox.withLock { $0 } }
    /// The most requests the server was handling at once.
    var mostInFlight: Int { inFlight.withLock { $0.most } }

    private init(port: Int, behaviour: @escaping Behaviour) {
        self.port = port
        self.behaviour = behaviour
    }

    /// Starts a server on `port` (0: any free port) and waits until it listens.
    static func start(port: Int = 0, tls: TLSConfiguration? = nil, behaviour: @escaping Behaviour) async throws -> HttpTestServer {
        let bound = PortBox()
        let holder = Mutex<HttpTestServer?>(nil)
        let http = HTTP1Channel(responder: { request, writer, channel in
            let server = holder.withLock { $0! }
            try await server.respond(request, writer, channel)
        })
        let configuration = ServerConfiguration(address: .hostname("127.0.0.1", port: port))
        let run: @Sendable () async throws -> Void
        if let tls {
            let child = try TLSChannel(http, tlsConfiguration: tls)
            let server = Server(childChannelSetup: child, configuration: configuration, onServerRunning: { bound.set($0.localAddress!.port!) },
                                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test.http"))
            run = { try await server.run() }
        } else {
            let server = Server(childChannelSetup: http, configuration: configuration, onServerRunning: { bound.set($0.localAddress!.port!) },
                                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test.http"))
            run = { try await server.run() }
        }
        let task = Task { try await run() }
        let actual = try await bound.wait()
        let server = HttpTestServer(port: actual, behaviour: behaviour)
        holder.withLock { $0 = server }
        server.task.withLock { $0 = task }
        return server
    }

    func stop() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }

    private func respond(_ request: Request, _ writer: consuming ResponseWriter, _ channel: any Channel) async throws {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 24)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let seen = Seen(
            method: request.method.rawValue, path: request.uri.description, headers: headers, body: String(buffer: body),
            peer: "\(channel.remoteAddress?.port ?? 0)", at: .now)
        let index = seenBox.withLock { list in
            list.append(seen)
            return list.count - 1
        }
        inFlight.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
        defer { inFlight.withLock { $0.now -= 1 } }
        let answer = behaviour(index, seen)
        if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
        var fields = HTTPFields()
        for (name, value) in answer.headers { fields[HTTPField.Name(name)!] = value }
        fields[.contentLength] = String(answer.body.utf8.count)
        try await writer.write(
            response: HTTPResponse(status: .init(code: answer.status), headerFields: fields),
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }
}
