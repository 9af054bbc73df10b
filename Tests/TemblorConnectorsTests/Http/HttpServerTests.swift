import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// `http_server` in whole flows, against AsyncHTTPClient and raw sockets on 127.0.0.1. Every wait
/// is bounded; nothing asserts speed.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HttpServerTests {
    let here = FlowFixtures.here

    func server(_ config: Value = [:], name: String = "web") -> ConnectorDefinition {
        var full: Value = ["url": "127.0.0.1:0"]
        if case .object(let extra) = config { for (key, value) in extra { full[key] = value } }
        return ConnectorDefinition(name: name, type: "http_server", config: full, location: here)
    }

    func connector(_ name: String, _ type: String) -> ConnectorDefinition {
        ConnectorDefinition(name: name, type: type, location: here)
    }

    func pipeline(_ name: String, _ operators: [String]) -> PipelineDefinition {
        PipelineDefinition(name: name, operators: operators.map { OperatorDefinition(name: $0, location: here) }, location: here)
    }

    /// `web -> sink` (an ingest endpoint: nothing links into `web`).
    func ingest(_ config: Value = [:], sink: ConnectorFactory, err: ConnectorFactory? = nil) async throws -> HttpServerFlow {
        var connectors = [server(config), connector("sink", sink.info.name)]
        var links = [FlowFixtures.link("web", "sink")]
        if let err {
            connectors.append(connector("errors", err.info.name))
            links.append(FlowFixtures.link("web", "errors", fromPort: .err))
        }
        let flow = FlowDefinition(file: "test.yaml", connectors: connectors, links: links)
        return try await HttpServerFlow.start(flow, extra: [sink] + (err.map { [$0] } ?? []))
    }

    /// `web -> answer -> web` (every request answered by the flow).
    func answering(_ config: Value = [:]) async throws -> HttpServerFlow {
        let flow = FlowDefinition(
            file: "test.yaml", connectors: [server(config)], pipelines: [pipeline("main", ["answer"])],
            links: [FlowFixtures.link("web", "main"), FlowFixtures.link("main", "web")])
        return try await HttpServerFlow.start(flow)
    }

    // MARK: Ingest: 202 once delivered

    @Test func answers202OnlyAfterTheEventIsAcknowledgedDownstream() async throws {
        let gate = GatedSink()
        let web = try await ingest(sink: GatedConnector(gate: gate))
        let client = HttpTestClient.make()
        let done = Flag()
        let reply = Task {
            defer { done.set() }
            return try await HttpTestClient.send(client, web.url + "/hooks/github?x=1&y=2", body: #"{"a":1}"#, headers: [("Content-Type", "application/json"), ("X-Trace", "t1")])
        }
        try await waitUntil { gate.received.count == 1 }
        try await Task.sleep(for: .milliseconds(200))
        // The event is not delivered yet: the client is still waiting.
        #expect(!done.isSet)
        gate.decide(.ack)
        let answer = try await reply.value
        #expect(answer.status == 202)
        let event = gate.received[0]
        #expect(event.payload == ["a": 1])
        let request = try #require(event.meta["request"])
        #expect(request["method"] == "POST")
        #expect(request["path"] == "/hooks/github")
        #expect(request["query"] == "x=1&y=2")
        #expect(request["headers"]?["x-trace"] == "t1")
        #expect(request["headers"]?["content-type"] == "application/json")
        #expect(request["peer"]?.stringValue?.hasPrefix("127.0.0.1:") == true)
        #expect(request["id"]?.intValue != nil)
        try await client.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 1, acked: 1, failed: 0))
    }

    @Test func aFailedEventIsAnswered500WithTheSinksReason() async throws {
        let gate = GatedSink()
        gate.decide(.fail("disk full on /var/log"))
        let web = try await ingest(sink: GatedConnector(gate: gate))
        let client = HttpTestClient.make()
        let answer = try await HttpTestClient.send(client, web.url, body: #"{"a":1}"#)
        #expect(answer.status == 500)
        #expect(answer.body.contains("disk full on /var/log"))
        try await client.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 1, acked: 0, failed: 1))
    }

    @Test func whileTheBreakerHoldsTheSourceRequestsGet503WithRetryAfter() async throws {
        let gate = GatedSink()
        gate.decide(.ack)
        gate.hold(true)
        let web = try await ingest(sink: GatedConnector(gate: gate))
        let client = HttpTestClient.make()
        let refused = try await HttpTestClient.send(client, web.url, body: #"{"a":1}"#)
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"].first == "1")
        gate.hold(false)
        let accepted = try await HttpTestClient.send(client, web.url, body: #"{"a":2}"#)
        #expect(accepted.status == 202)
        #expect(gate.received.map(\.payload) == [["a": 2]])
        try await client.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 1, acked: 1, failed: 0))
    }

    @Test func noFateWithinTheResponseTimeoutIs504() async throws {
        let gate = GatedSink()
        let web = try await ingest(["response_timeout_ms": 300], sink: GatedConnector(gate: gate))
        let client = HttpTestClient.make()
        let answer = try await HttpTestClient.send(client, web.url, body: #"{"slow":true}"#)
        #expect(answer.status == 504)
        #expect(answer.body.contains("response_timeout_ms"))
        gate.decide(.fail("gave up"))
        try await client.shutdown()
        _ = try await web.running.stop()
    }

    @Test func stoppingWhileARequestWaitsStillAnswersItWithinTheTimeout() async throws {
        let gate = GatedSink()
        let web = try await ingest(["response_timeout_ms": 300], sink: GatedConnector(gate: gate))
        let client = HttpTestClient.make()
        let reply = Task { try await HttpTestClient.send(client, web.url, body: #"{"late":true}"#) }
        try await waitUntil { gate.received.count == 1 }
        let stopping = Task { try await web.running.stop() }
        // The server quiesces: the waiting request is still told, with its 504.
        #expect(try await reply.value.status == 504)
        gate.decide(.ack)
        _ = try await stopping.value
        try await client.shutdown()
    }

    // MARK: Codecs by Content-Type

    @Test func theContentTypeNamesTheCodecElseTheConnectorsOwn() async throws {
        let collected = Collected()
        let web = try await ingest(sink: CollectorConnector("collector", collected))
        let client = HttpTestClient.make()
        let cases: [(String?, String, [Value])] = [
            ("application/json; charset=utf-8", #"{"k":"json"}"#, [["k": "json"]]),
            ("application/x-ndjson", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n", [["n": 1], ["n": 2], ["n": 3]]),
            ("application/yaml", "k: yaml\nlist: [1, 2]\n", [["k": "yaml", "list": [1, 2]]]),
            ("text/plain", "just words", ["just words"]),
            ("text/csv", "a,b\nc,d\n", [["a", "b"], ["c", "d"]]),
            (nil, #"{"k":"default"}"#, [["k": "default"]]),
            ("application/x-unknown", #"{"k":"fallback"}"#, [["k": "fallback"]]),
        ]
        var expected: [Value] = []
        for (type, body, values) in cases {
            let answer = try await HttpTestClient.send(client, web.url, body: body, headers: type.map { [("Content-Type", $0)] } ?? [])
            #expect(answer.status == 202, "\(type ?? "no type"): \(answer.body)")
            expected += values
        }
        // msgpack: {"k": "mp"}
        let msgpack: [UInt8] = [0x81, 0xA1, 0x6B, 0xA2, 0x6D, 0x70]
        let packed = try await HttpTestClient.send(client, web.url, bytes: msgpack, headers: [("Content-Type", "application/msgpack")])
        #expect(packed.status == 202)
        expected.append(["k": "mp"])
        let empty = try await HttpTestClient.send(client, web.url, method: .GET, headers: [])
        #expect(empty.status == 202)
        expected.append(.null)
        let events = try await collected.wait(for: expected.count)
        #expect(events.map(\.payload) == expected)
        try await client.shutdown()
        _ = try await web.running.stop()
    }

    @Test func aBodyThatDoesNotDecodeIs400WithTheErrorAndTheEventOnErr() async throws {
        let collected = Collected()
        let errors = Collected()
        let web = try await ingest(sink: CollectorConnector("collector", collected), err: CollectorConnector("errs", errors))
        let client = HttpTestClient.make()
        let answer = try await HttpTestClient.send(client, web.url, body: #"{"a": tru"#)
        #expect(answer.status == 400)
        #expect(answer.body.contains("web:"))
        let bad = try await errors.wait(for: 1)
        #expect(bad[0].payload["data"] == #"{"a": tru"#)
        #expect(answer.body.contains(bad[0].payload["error"]?.stringValue ?? "?"))
        // One bad line refuses the whole ndjson body: nothing of it goes on.
        let mixed = try await HttpTestClient.send(client, web.url, body: "{\"ok\":1}\nnope\n", headers: [("Content-Type", "application/x-ndjson")])
        #expect(mixed.status == 400)
        #expect(mixed.body.contains("line 2"))
        let good = try await HttpTestClient.send(client, web.url, body: #"{"after":true}"#)
        #expect(good.status == 202)
        #expect(collected.all.map(\.payload) == [["after": true]])
        try await client.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 3, acked: 3, failed: 0))
    }

    // MARK: Bad input at the HTTP level

    @Test func aDeclaredBodyOverTheLimitIs413WithoutReadingItAndTheConnectionCloses() async throws {
        let collected = Collected()
        let web = try await ingest(["max_body_bytes": 1024], sink: CollectorConnector("collector", collected))
        let (status, headers, closed) = try await onThread {
            let socket = try TestSocket.connect(port: web.port)
            defer { socket.close() }
            try socket.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{\"a\":")
            let response = try socket.readResponse()
            return (response?.status, response?.headers ?? [:], try socket.waitForClose(seconds: 5))
        }
        #expect(status == 413)
        #expect(headers["connection"] == "close")
        #expect(closed)
        // A chunked body that grows over the limit is cut off the same way.
        let client = HttpTestClient.make()
        let big = String(repeating: "x", count: 4096)
        let chunked = try await HttpTestClient.send(client, web.url, body: "\"\(big)\"", headers: [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")])
        #expect(chunked.status == 413)
        let fine = try await HttpTestClient.send(client, web.url, body: #"{"small":1}"#)
        #expect(fine.status == 202)
        #expect(collected.all.map(\.payload) == [["small": 1]])
        try await client.shutdown()
        _ = try await web.running.stop()
    }

    @Test func aMalformedRequestIs400AndTheConnectionCloses() async throws {
        let collected = Collected()
        let web = try await ingest(sink: CollectorConnector("collector", collected))
        let (status, closed) = try await onThread {
            let socket = try TestSocket.connect(port: web.port)
            defer { socket.close() }
            try socket.send("THIS IS NOT HTTP\r\n\r\n")
            let response = try socket.readResponse()
            return (response?.status, try socket.waitForClose(seconds: 5))
        }
        #expect(status == 400)
        #expect(closed)
        #expect(collected.all.isEmpty)
        _ = try await web.running.stop()
    }

    @Test func headersNotCompleteInTimeCloseTheConnectionAndOthersAreUnaffected() async throws {
        let collected = Collected()
        let web = try await ingest(["header_timeout_ms": 300], sink: CollectorConnector("collector", collected))
        let slow = Task {
            try await onThread { () throws -> Bool in
                let socket = try TestSocket.connect(port: web.port)
                defer { socket.close() }
                try socket.send("POST / HTTP/1.1\r\nHost: x\r\n")
                return try socket.waitForClose(seconds: 5)
            }
        }
        let client = HttpTestClient.make()
        let answer = try await HttpTestClient.send(client, web.url, body: #"{"meanwhile":1}"#)
        #expect(answer.status == 202)
        #expect(try await slow.value)
        try await client.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 1, acked: 1, failed: 0))
    }

    // MARK: Keep-alive and pipelining

    @Test func keptAliveConnectionsAreReusedAndPipelinedRequestsAnsweredInOrder() async throws {
        let collected = Collected()
        let web = try await ingest(sink: CollectorConnector("collector", collected))
        let client = HttpTestClient.make()
        for n in 0..<5 {
            let answer = try await HttpTestClient.send(client, web.url, body: #"{"n":\#(n)}"#)
            #expect(answer.status == 202)
        }
        let peers = Set(try await collected.wait(for: 5).compactMap { $0.meta["request"]?["peer"]?.stringValue })
        #expect(peers.count == 1, "five requests came on \(peers.count) connections")
        let statuses = try await onThread { () throws -> [Int] in
            let socket = try TestSocket.connect(port: web.port)
            defer { socket.close() }
            let one = #"{"p":1}"#
            let request = "POST /p HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(one.utf8.count)\r\n\r\n\(one)"
            try socket.send(request + request + request)
            return try (0..<3).compactMap { _ in try socket.readResponse()?.status }
        }
        #expect(statuses == [202, 202, 202])
        _ = try await collected.wait(for: 8)
        try await client.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 8, acked: 8, failed: 0))
    }

    @Test func connectionsOverMaxConnectionsWaitUntilOneCloses() async throws {
        let collected = Collected()
        let web = try await ingest(["max_connections": 1], sink: CollectorConnector("collector", collected))
        let holder = try await onThread { try TestSocket.connect(port: web.port) }
        try await Task.sleep(for: .milliseconds(100))
        let client = HttpTestClient.make()
        let waiting = Task { try await HttpTestClient.send(client, web.url, body: #"{"second":1}"#) }
        try await Task.sleep(for: .milliseconds(500))
        #expect(collected.all.isEmpty)
        holder.close()
        #expect(try await waiting.value.status == 202)
        try await client.shutdown()
        _ = try await web.running.stop()
    }

    // MARK: Answering through `in`

    @Test func theFlowAnswersWithStatusHeadersAndTheEncodedPayload() async throws {
        let web = try await answering()
        let client = HttpTestClient.make()
        let echoed = try await HttpTestClient.send(client, web.url, body: #"{"hello":"world"}"#)
        #expect(echoed.status == 200)
        #expect(echoed.headers["content-type"].first == "application/json")
        #expect(echoed.body == #"{"hello":"world"}"#)
        let made = try await HttpTestClient.send(
            client, web.url, body: #"{"status":201,"headers":{"x-made":"yes"},"reply":{"id":7}}"#)
        #expect(made.status == 201)
        #expect(made.headers["x-made"].first == "yes")
        #expect(made.body == #"{"id":7}"#)
        let yaml = try await HttpTestClient.send(
            client, web.url, body: #"{"headers":{"content-type":"application/yaml"},"reply":{"k":"v"}}"#)
        #expect(yaml.headers["content-type"].first == "application/yaml")
        #expect(yaml.body.contains("k: v"))
        let text = try await HttpTestClient.send(client, web.url, body: "plain", headers: [("Content-Type", "text/plain")])
        #expect(text.body == "plain")
        #expect(text.headers["content-type"].first?.hasPrefix("text/plain") == true)
        let empty = try await HttpTestClient.send(client, web.url, method: .GET, headers: [])
        #expect(empty.status == 200)
        #expect(empty.body.isEmpty)
        let bad = try await HttpTestClient.send(client, web.url, body: #"{"status":"teapot"}"#)
        #expect(bad.status == 500)
        #expect(bad.body.contains("meta.response.status"))
        try await client.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 6, acked: 5, failed: 1))
    }

    @Test func anEventNamingNoPendingRequestIsFailedWithThatReason() async throws {
        let script = Script()
        let flow = FlowDefinition(
            file: "test.yaml", connectors: [server(), connector("script", "scripted")],
            links: [FlowFixtures.link("script", "web")])
        var registry = ConnectorRegistry.standard
        registry.register(ScriptedConnector(script))
        // Only the sink side runs: nothing reads the server's `out`, so it listens nowhere.
        let running = RunningFlow(flow, registry: registry)
        script.emit(["answer": 1], meta: ["request": ["id": 424242]])
        script.emit(["answer": 2])
        script.finish()
        let report = try await running.finished()
        #expect(report == FlowReport(produced: 2, acked: 0, failed: 2))
    }

    @Test func nRequestsOver50ConnectionsGiveNEventsAndNAnswersEachItsOwn() async throws {
        let web = try await answering()
        let client = HttpTestClient.make()
        let perConnection = 20
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for c in 0..<50 {
                group.addTask {
                    // One connection per task: its own client, requests one after another.
                    let own = HttpTestClient.make()
                    var wrong = 0
                    for n in 0..<perConnection {
                        let body = #"{"c":\#(c),"n":\#(n)}"#
                        let answer = try await HttpTestClient.send(own, web.url, body: body)
                        if answer.status != 200 || answer.body != body { wrong += 1 }
                    }
                    try await own.shutdown()
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)
        try await client.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 50 * perConnection, acked: 50 * perConnection, failed: 0))
    }

    // MARK: TLS

    @Test func servesHttpsWithItsCertificateAndAClientThatDoesNotTrustItIsRefused() async throws {
        let certificate = try SelfSignedCertificate.make()
        let collected = Collected()
        let web = try await ingest(["tls": ["cert": .string(certificate.cert), "key": .string(certificate.key)]], sink: CollectorConnector("collector", collected))
        let trusting = HttpTestClient.make(tls: try certificate.trusting())
        let answer = try await HttpTestClient.send(trusting, "https://127.0.0.1:\(web.port)/secure", body: #"{"tls":true}"#)
        #expect(answer.status == 202)
        #expect(try await collected.wait(for: 1).first?.meta["request"]?["path"] == "/secure")
        let stranger = HttpTestClient.make(timeout: .seconds(2))
        await #expect(throws: (any Error).self) {
            _ = try await HttpTestClient.send(stranger, "https://127.0.0.1:\(web.port)/", body: "{}")
        }
        try await trusting.shutdown()
        try await stranger.shutdown()
        #expect(try await web.running.stop() == FlowReport(produced: 1, acked: 1, failed: 0))
    }

    // MARK: Configuration

    @Test func badConfigsNameTheKeyAndTheFix() throws {
        let info = HttpServerConnector().info
        func check(_ config: Value) -> ConnectorConfigError? { configError(info, config) }
        #expect(check([:])?.key == "url")
        #expect(check(["url": "127.0.0.1:8080", "max_body_bytes": 0])?.key == "max_body_bytes")
        #expect(check(["url": "127.0.0.1:8080", "header_timeout_ms": "soon"])?.key == "header_timeout_ms")
        #expect(check(["url": "127.0.0.1:8080", "tls": true])?.key == "tls")
        #expect(check(["url": "127.0.0.1:8080", "tls": ["cert": "a.pem"]])?.key == "tls.key")
        #expect(check(["url": "https://127.0.0.1:8443"])?.message.contains("tls") == true)
        #expect(check(["url": "127.0.0.1:8080", "max_conections": 3])?.message.contains("max_connections") == true)
        #expect(check(["url": "http://127.0.0.1:8080/", "max_body_bytes": 4096]) == nil)
    }

    @Test func aMissingCertificateFileStopsTheFlowWithItsPath() async throws {
        let flow = FlowDefinition(
            file: "test.yaml", connectors: [server(["tls": ["cert": "/nonexistent/cert.pem", "key": "/nonexistent/key.pem"]]), connector("sink", "blackhole")],
            links: [FlowFixtures.link("web", "sink")])
        let runner = FlowRunner(flow: flow, directory: ".", connectors: .standard, operators: OperatorRegistry())
        await #expect {
            _ = try await runner.run()
        } throws: { error in
            "\(error)".contains("/nonexistent/cert.pem")
        }
    }
}

/// A flag one task sets and another reads.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
