import Foundation
import NIOCore
import NIOPosix
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// The connectors written in Lua that `examples/` ships, run as their flows say against real
/// peers the tests start on 127.0.0.1: Redis, an HTTP endpoint, StatsD datagrams.
@Suite struct LuaIOExampleTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    /// A scene holding a copy of `example`, and its flow with `replacements` made.
    func scene(example: String, replacing replacements: [(String, String)]) throws -> (Scene, String) {
        let scene = try Scene()
        let source = Self.examples.appendingPathComponent(example)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".lua") || name.hasSuffix(".jsonl") {
            try FileManager.default.copyItem(atPath: source.appendingPathComponent(name).path, toPath: scene.dir + "/" + name)
        }
        var flow = try String(contentsOf: source.appendingPathComponent("flow.yaml"), encoding: .utf8)
        for (from, to) in replacements {
            #expect(flow.contains(from), "the example's flow no longer says \(from)")
            flow = flow.replacingOccurrences(of: from, with: to)
        }
        return (scene, flow)
    }

    // MARK: - Redis

    @Test func theRedisSinkAppendsEachEventToTheStream() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let (scene, flow) = try scene(example: "lua-redis", replacing: [("6379", "\(redis.port)")])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        let lines = try redis.cli("XRANGE", "events", "-", "+")
        // Raw replies: each entry's id, then its fields and values (keys sorted, nested values as JSON).
        let entries = lines.enumerated().filter { $0.element.range(of: #"^\d+-\d+$"#, options: .regularExpression) != nil }
        #expect(entries.count == 3)
        #expect(lines.filter { $0.range(of: #"^\d+-\d+$"#, options: .regularExpression) == nil } == [
            "id", "a1", "level", "info", "msg", "user logged in", "user", "ada",
            "days", "3", "id", "a2", "level", "warn", "msg", "password about to expire", "user", "ada",
            "id", "a3", "level", "error", "msg", "disk full", "tags", #"["db","disk"]"#,
        ])
    }

    @Test func inSetModeEachEventIsStoredAsJSONUnderItsKey() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        let (scene, flow) = try scene(example: "lua-redis", replacing: [
            ("6379", "\(redis.port)"), ("stream: events }", "mode: set, prefix: \"event:\", key_field: id }"),
        ])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        #expect(try redis.cli("KEYS", "event:*").sorted() == ["event:a1", "event:a2", "event:a3"])
        let stored = try #require(try redis.cli("GET", "event:a3").first)
        let value = try #require(try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? [String: Any])
        #expect(value["msg"] as? String == "disk full")
        #expect(value["tags"] as? [String] == ["db", "disk"])
    }

    @Test func eventsRedisRefusesFailBackToTheirSource() async throws {
        let redis = try await RedisServer.start()
        defer { redis.stop() }
        // `events` holds a string: every XADD to it is refused with WRONGTYPE.
        #expect(try redis.cli("SET", "events", "not a stream") == ["OK"])
        let (scene, flow) = try scene(example: "lua-redis", replacing: [("6379", "\(redis.port)")])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 3, acked: 0, failed: 3))
        #expect(try redis.cli("GET", "events") == ["not a stream"])
    }

    // MARK: - HTTP poller

    @Test func thePollerEmitsEachItemOnceFollowingTheCursor() async throws {
        let server = try await LuaIOHTTPTestServer.start()
        defer { Task { await server.stop() } }
        let (scene, flow) = try scene(example: "lua-http-poller", replacing: [("8080", "\(server.port)"), ("interval_ms: 500", "interval_ms: 20")])
        let report = try await scene.run(flow)
        #expect(report == FlowReport(produced: 5, acked: 5, failed: 0))
        #expect(scene.lines("out.jsonl").map { canonical($0) } == (1...5).map { #"{"id":\#($0),"name":"item \#($0)"}"# })
        #expect(server.requests.map(\.uri) == ["/items", "/items?since=3", "/items?since=5"])
        #expect(server.requests.allSatisfy { $0.headers["accept"] == ["application/json"] })
    }

    // MARK: - StatsD

    @Test func theStatsdSourceTurnsEachLineIntoAnEvent() async throws {
        let port = try await LuaIOFixtures.unusedUDPPort()
        let (scene, flow) = try scene(example: "lua-statsd", replacing: [
            ("port: 8125 }", "port: \(port), expect: 4 }"), ("127.0.0.1:8125\"", "127.0.0.1:\(port)\""),
        ])
        async let report = scene.run(flow)
        try await waitUntilBound(port)
        let sender = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        for datagram in ["hits:1|c\nlatency:12.5|ms|@0.5", "not a metric", "users:ada|s\nload:0.75|g"] {
            let envelope = AddressedEnvelope(remoteAddress: target, data: sender.allocator.buffer(string: datagram))
            try await sender.writeAndFlush(envelope).get()
        }
        try await sender.close()
        #expect(try await report == FlowReport(produced: 4, acked: 4, failed: 0))
        #expect(scene.lines("out.jsonl").map { canonical($0) } == [
            #"{"name":"hits","type":"counter","value":1}"#,
            #"{"name":"latency","rate":0.5,"type":"timer","value":12.5}"#,
            #"{"name":"users","type":"set","value":"ada"}"#,
            #"{"name":"load","type":"gauge","value":0.75}"#,
        ])
    }

    /// A JSON line with its keys sorted: Lua tables do not keep key order.
    func canonical(_ line: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits until something bound UDP `port` on 127.0.0.1 (binding it ourselves then fails).
    func waitUntilBound(_ port: Int) async throws {
        for _ in 0..<1000 {
            guard let probe = try? await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: port).get() else {
                return
            }
            try await probe.close()
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("nothing bound UDP port \(port)")
    }
}
