import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// The sink plugins of `examples/plugins` run as their flows say, against peers the tests start
/// on 127.0.0.1: an HTTP server answering like Loki or Elasticsearch, and a real `redis-server`.
@Suite struct LuaGalleryTests {
    static let plugins = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/plugins")

    /// A scene holding a copy of `plugin` (its Lua files and inputs), and its flow with
    /// `replacements` made.
    func scene(plugin: String, replacing replacements: [(String, String)]) throws -> (Scene, String) {
        let scene = try Scene()
        let source = Self.plugins.appendingPathComponent(plugin)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".lua") || name.hasSuffix(".jsonl") {
            try FileManager.default.copyItem(atPath: source.appendingPathComponent(name).path, toPath: scene.dir + "/" + name)
        }
        var flow = try String(contentsOf: source.appendingPathComponent("flow.yaml"), encoding: .utf8)
        for (from, to) in replacements {
            #expect(flow.contains(from), "the plugin's flow no longer says \(from)")
            flow = flow.replacingOccurrences(of: from, with: to)
        }
        return (scene, flow)
    }

    // MARK: - Loki

    /// The three entries of the Loki plugin's in.jsonl, as the flow's labels and line_field make them.
    static let lokiEntries = [
        (#"{"app":"api","job":"temblor","level":"info"}"#, "1714564800000000000", "listening on :8080"),
        (#"{"app":"api","job":"temblor","level":"error"}"#, "1714564801500000000", "database unreachable"),
        (#"{"app":"worker","job":"temblor","level":"info"}"#, "1714564802000000000", "job 42 done"),
    ]

    /// A push document of one entry per stream, keys sorted.
    static func push(_ entries: [(String, String, String)]) -> String {
        let streams = entries.map { #"{"stream":\#($0.0),"values":[["\#($0.1)","\#($0.2)"]]}"# }
        return canonical(#"{"streams":[\#(streams.joined(separator: ","))]}"#)!
    }

    @Test func theLokiSinkPushesEachEventAndAcksItOnceLokiAccepted() async throws {
        let server = try await GalleryHTTPServer.start { _, _ in (.noContent, "") }
        defer { Task { await server.stop() } }
        let (scene, flow) = try scene(plugin: "loki", replacing: [("3100", "\(server.port)")])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        let requests = server.requests
        #expect(requests.map(\.method) == ["POST", "POST", "POST"])
        #expect(requests.allSatisfy { $0.uri == "/loki/api/v1/push" && $0.headers["content-type"] == "application/json" })
        #expect(requests.map { Self.canonical($0.body) } == Self.lokiEntries.map { Self.push([$0]) })
    }

    @Test func aLokiAnswering500IsRetriedAndNothingIsLost() async throws {
        let server = try await GalleryHTTPServer.start { _, index in index == 0 ? (.internalServerError, "ingester unavailable") : (.noContent, "") }
        defer { Task { await server.stop() } }
        let (scene, flow) = try scene(plugin: "loki", replacing: [
            ("3100", "\(server.port)"), ("line_field: msg", "line_field: msg\n      retry_ms: 20"),
        ])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        let bodies = server.requests.map { Self.canonical($0.body) }
        #expect(bodies.count == 4)
        #expect(bodies.first == bodies.dropFirst().first, "the refused push is sent again as it was")
        #expect(Array(bodies.dropFirst()) == Self.lokiEntries.map { Self.push([$0]) })
    }

    @Test func aLokiThatKeepsRefusingFailsTheEventsBackToTheirSource() async throws {
        let server = try await GalleryHTTPServer.start { _, _ in (.badRequest, "entry too far behind") }
        defer { Task { await server.stop() } }
        let (scene, flow) = try scene(plugin: "loki", replacing: [("3100", "\(server.port)")])
        let report = try await scene.run(flow, validate: true)
        #expect(report == FlowReport(produced: 3, acked: 0, failed: 3))
        #expect(server.requests.count == 3, "a 400 is not retried")
    }

    @Test func inBatchesLokiGetsFullBatchesAndTheLastOneAtDrain() async throws {
        let server = try await GalleryHTTPServer.start { _, _ in (.noContent, "") }
        defer { Task { await server.stop() } }
        let (scene, flow) = try scene(plugin: "loki", replacing: [
            ("3100", "\(server.port)"), ("line_field: msg", "line_field: msg\n      batch_size: 2"),
        ])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        #expect(server.requests.map { Self.canonical($0.body) } == [
            Self.push(Array(Self.lokiEntries.prefix(2))), Self.push([Self.lokiEntries[2]]),
        ])
    }

    // MARK: - Elasticsearch

    /// A `_bulk` answer for a body: each document indexed (201), unless `reject` says why not.
    static func bulkAnswer(_ body: String, reject: (String) -> String? = { _ in nil }) -> (HTTPResponseStatus, String) {
        let lines = body.split(separator: "\n").map(String.init)
        var items: [String] = []
        var errors = false
        for index in stride(from: 1, to: lines.count, by: 2) {
            if let reason = reject(lines[index]) {
                errors = true
                items.append(#"{"index":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"\#(reason)"}}}"#)
            } else {
                items.append(#"{"index":{"_index":"logs","_id":"x","status":201,"result":"created"}}"#)
            }
        }
        return (.ok, #"{"took":1,"errors":\#(errors),"items":[\#(items.joined(separator: ","))]}"#)
    }

    /// The NDJSON lines of each document of the Elasticsearch plugin's in.jsonl, keys sorted.
    static let bulkLines: [[String?]] = [
        [#"{"index":{"_id":"a1","_index":"logs-2024.05.01"}}"#, #"{"@timestamp":"2024-05-01T12:00:00Z","id":"a1","level":"info","msg":"user logged in","user":"ada"}"#],
        [#"{"index":{"_id":"a2","_index":"logs-2024.05.02"}}"#, #"{"@timestamp":"2024-05-01T23:30:00-02:00","days":3,"id":"a2","level":"warn","msg":"password about to expire"}"#],
        [#"{"index":{"_id":"3","_index":"logs-2024.12.31"}}"#, #"{"@timestamp":1735689599000,"id":3,"level":"error","msg":"disk full","tags":["db","disk"]}"#],
    ].map { $0.map { canonical($0) } }

    static func ndjson(_ body: String) -> [String?] {
        body.split(separator: "\n").map { canonical(String($0)) }
    }

    @Test func theElasticsearchSinkBulkIndexesEachEventAndAcksIt() async throws {
        let server = try await GalleryHTTPServer.start { request, _ in Self.bulkAnswer(request.body) }
        defer { Task { await server.stop() } }
        let (scene, flow) = try scene(plugin: "elasticsearch", replacing: [("9200", "\(server.port)")])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        let requests = server.requests
        #expect(requests.allSatisfy { $0.method == "POST" && $0.uri == "/_bulk" && $0.headers["content-type"] == "application/x-ndjson" })
        #expect(requests.allSatisfy { $0.body.hasSuffix("\n") })
        #expect(requests.map { Self.ndjson($0.body) } == Self.bulkLines)
    }

    @Test func anElasticsearchAnswering503IsRetriedAndNothingIsLost() async throws {
        let server = try await GalleryHTTPServer.start { request, index in
            index == 0 ? (.serviceUnavailable, #"{"error":"cluster_block_exception"}"#) : Self.bulkAnswer(request.body)
        }
        defer { Task { await server.stop() } }
        let (scene, flow) = try scene(plugin: "elasticsearch", replacing: [
            ("9200", "\(server.port)"), ("id_field: id", "id_field: id\n      retry_ms: 20"),
        ])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        let bodies = server.requests.map { Self.ndjson($0.body) }
        #expect(bodies.count == 4)
        #expect(Array(bodies.dropFirst()) == Self.bulkLines)
        #expect(bodies.first == bodies.dropFirst().first)
    }

    @Test func aDocumentElasticsearchRejectsFailsItsEventOnly() async throws {
        let server = try await GalleryHTTPServer.start { request, _ in
            Self.bulkAnswer(request.body) { $0.contains("disk full") ? "failed to parse field [tags]" : nil }
        }
        defer { Task { await server.stop() } }
        let (scene, flow) = try scene(plugin: "elasticsearch", replacing: [("9200", "\(server.port)")])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 2, failed: 1))
        #expect(server.requests.count == 3, "a rejected document is not retried")
    }

    // MARK: - Redis

    @Test func theRedisSinkAppendsEachEventToTheTrimmedStream() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let (scene, flow) = try scene(plugin: "redis", replacing: [("6379", "\(redis.port)")])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        #expect(try redis.cli("XLEN", "events") == ["3"])
        let fields = try redis.cli("XRANGE", "events", "-", "+").filter { $0.range(of: #"^\d+-\d+$"#, options: .regularExpression) == nil }
        #expect(fields == [
            "id", "a1", "level", "info", "msg", "user logged in", "user", "ada",
            "days", "3", "id", "a2", "level", "warn", "msg", "password about to expire", "user", "ada",
            "id", "a3", "level", "error", "msg", "disk full", "ratio", "0.5", "tags", #"["db","disk"]"#,
        ])
    }

    @Test func withAuthAndSelectEachEventIsSetUnderItsKeyWithATTL() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        #expect(try redis.cli("ACL", "SETUSER", "gallery", "on", ">s3cret", "~*", "&*", "+@all") == ["OK"])
        let (scene, flow) = try scene(plugin: "redis", replacing: [
            ("port: 6379, mode: xadd, key: events, maxlen: 10000", "port: \(redis.port), mode: set, key_field: id, prefix: \"event:\", ttl_s: 3600, username: gallery, password: s3cret, db: 3"),
            ("6379", "\(redis.port)"),
        ])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        #expect(try redis.cli("-n", "3", "KEYS", "event:*").sorted() == ["event:a1", "event:a2", "event:a3"])
        #expect(try redis.cli("DBSIZE") == ["0"], "nothing in db 0")
        let ttl = try #require(try redis.cli("-n", "3", "TTL", "event:a2").first.flatMap { Int($0) })
        #expect(ttl > 3500 && ttl <= 3600)
        let stored = try #require(try redis.cli("-n", "3", "GET", "event:a2").first)
        #expect(Self.canonical(stored) == Self.canonical(#"{"id":"a2","level":"warn","msg":"password about to expire","user":"ada","days":3}"#))
    }

    @Test func aWrongPasswordKeepsTheSinkUnconnectedAndItsEventsFail() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        #expect(try redis.cli("ACL", "SETUSER", "gallery", "on", ">s3cret", "~*", "+@all") == ["OK"])
        let (scene, flow) = try scene(plugin: "redis", replacing: [
            ("maxlen: 10000 }", "maxlen: 10000, username: gallery, password: wrong }\n    reconnect: { initial_ms: 10, max_ms: 20, max_retries: 2 }"),
            ("6379", "\(redis.port)"),
        ])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 0, failed: 3))
        #expect(try redis.cli("EXISTS", "events") == ["0"])
    }

    @Test func eventsRedisRefusesFailWithItsMessageAndTheOthersGoOn() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        // `jobs` holds a string, so each LPUSH to it is refused with WRONGTYPE; `a2` goes to `other`.
        #expect(try redis.cli("SET", "jobs", "not a list") == ["OK"])
        let (scene, flow) = try scene(plugin: "redis", replacing: [
            ("mode: xadd, key: events, maxlen: 10000", "mode: lpush, key_field: user, value_field: msg"),
            ("6379", "\(redis.port)"),
        ])
        try scene.write("in.jsonl", """
            {"user":"jobs","msg":"one"}
            {"user":"other","msg":"two"}
            {"user":"jobs","msg":"three"}
            {"user":"other","msg":"four"}

            """)
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 4, acked: 2, failed: 2))
        #expect(try redis.cli("LRANGE", "other", "0", "-1") == ["four", "two"])
        #expect(try redis.cli("GET", "jobs") == ["not a list"])
    }

    // MARK: - Helpers

    /// A JSON text with its keys sorted: Lua tables do not keep key order.
    static func canonical(_ text: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A request `GalleryHTTPServer` received.
struct GalleryRequest: Sendable {
    let method: String
    let uri: String
    /// Lower-case names; repeated headers joined with ", ".
    let headers: [String: String]
    let body: String
}

/// A small HTTP/1.1 server on 127.0.0.1 that records each request and answers with what
/// `respond` says for it (and its index, from 0), closing the connection after each answer.
final class GalleryHTTPServer: Sendable {
    typealias Respond = @Sendable (GalleryRequest, Int) -> (HTTPResponseStatus, String)
    private let channel: any Channel
    private let recorded = Mutex<[GalleryRequest]>([])

    private init(channel: any Channel) {
        self.channel = channel
    }

    var port: Int { channel.localAddress?.port ?? 0 }
    var requests: [GalleryRequest] { recorded.withLock { $0 } }

    static func start(_ respond: @escaping Respond) async throws -> GalleryHTTPServer {
        let box = Mutex<GalleryHTTPServer?>(nil)
        let record: @Sendable (GalleryRequest) -> Int = { request in
            box.withLock { server in
                server!.recorded.withLock { requests in
                    requests.append(request)
                    return requests.count - 1
                }
            }
        }
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Responder(record: record, respond: respond))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        let server = GalleryHTTPServer(channel: channel)
        box.withLock { $0 = server }
        return server
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let record: @Sendable (GalleryRequest) -> Int
        let respond: Respond
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(record: @escaping @Sendable (GalleryRequest) -> Int, respond: @escaping Respond) {
            self.record = record
            self.respond = respond
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(let part):
                body.append(contentsOf: part.readableBytesView)
            case .end:
                guard let head else { return }
                var headers: [String: String] = [:]
                for (name, value) in head.headers {
                    let key = name.lowercased()
                    headers[key] = headers[key].map { $0 + ", " + value } ?? value
                }
                let request = GalleryRequest(method: head.method.rawValue, uri: head.uri, headers: headers, body: String(decoding: body, as: UTF8.self))
                let (status, text) = respond(request, record(request))
                var responseHeaders = HTTPHeaders()
                responseHeaders.add(name: "Content-Type", value: "application/json")
                responseHeaders.add(name: "Content-Length", value: String(text.utf8.count))
                responseHeaders.add(name: "Connection", value: "close")
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: responseHeaders))), promise: nil)
                if !text.isEmpty {
                    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                    channel.close(promise: nil)
                }
            }
        }
    }
}
