import Foundation
import NIOSSL
import Synchronization
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// `http_client` in whole flows against a plain Hummingbird server on 127.0.0.1. Every wait is
/// bounded; nothing asserts speed.
@Suite(.serialized, .timeLimit(.minutes(3))) struct HttpClientTests {
    let here = FlowFixtures.here

    /// `script -> client -> collector`, the client configured by `config` (its `url` filled in).
    func run(
        _ port: Int, config: Value = [:], reconnect: Value = ["initial_ms": 10, "max_ms": 50], path: String = "/in",
        events: [(Value, Value)], scheme: String = "http"
    ) async throws -> (FlowReport, [Event]) {
        let script = Script()
        let collected = Collected()
        var full: Value = ["url": .string("\(scheme)://127.0.0.1:\(port)\(path)")]
        if case .object(let extra) = config { for (key, value) in extra { full[key] = value } }
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                ConnectorDefinition(name: "client", type: "http_client", config: full, reconnect: reconnect, location: here),
                ConnectorDefinition(name: "collector", type: "collector", location: here),
            ],
            links: [FlowFixtures.link("script", "client"), FlowFixtures.link("client", "collector")])
        var registry = ConnectorRegistry.standard
        registry.register(ScriptedConnector(script))
        registry.register(CollectorConnector("collector", collected))
        let running = RunningFlow(flow, registry: registry)
        for (payload, meta) in events { script.emit(payload, meta: meta) }
        script.finish()
        let report = try await running.finished()
        return (report, collected.all)
    }

    @Test func eachResponseIsAnEventWithItsStatusHeadersAndTheRequestsCorrelation() async throws {
        let server = try await HttpTestServer.start { _, seen in
            .init(status: 200, headers: ["content-type": "application/json", "x-served-by": "test"], body: #"{"got":\#(seen.body)}"#)
        }
        let events: [(Value, Value)] = (0..<10).map { (["n": .int(Int64($0))], ["correlation": ["ticket": .int(Int64($0))]]) }
        let (report, responses) = try await run(server.port, events: events)
        #expect(report.failed == 0)
        #expect(server.seen.count == 10)
        #expect(server.seen.allSatisfy { $0.method == "POST" && $0.path == "/in" && $0.headers["content-type"] == "application/json" })
        #expect(responses.count == 10)
        for response in responses {
            let ticket = try #require(response.meta["correlation"]?["ticket"]?.intValue)
            #expect(response.payload == ["got": ["n": .int(ticket)]])
            #expect(response.meta["response"]?["status"] == 200)
            #expect(response.meta["response"]?["headers"]?["x-served-by"] == "test")
        }
        await server.stop()
    }

    @Test func theEventsMetaOverridesMethodUrlAndHeaders() async throws {
        let server = try await HttpTestServer.start { _, _ in .init(status: 204) }
        let (report, responses) = try await run(
            server.port, config: ["method": "put", "headers": ["x-from-config": "1", "x-both": "config"]],
            events: [
                (["a": 1], .null),
                (.null, ["request": ["method": "GET", "url": .string("http://127.0.0.1:\(server.port)/other?q=1"), "headers": ["x-both": "event"]]]),
            ])
        #expect(report == FlowReport(produced: 4, acked: 4, failed: 0))
        let seen = server.seen.sorted { $0.path < $1.path }
        #expect(seen.map(\.method) == ["PUT", "GET"])
        #expect(seen.map(\.path) == ["/in", "/other?q=1"])
        #expect(seen[0].headers["x-both"] == "config")
        #expect(seen[1].headers["x-both"] == "event")
        #expect(seen.allSatisfy { $0.headers["x-from-config"] == "1" })
        #expect(seen[1].body.isEmpty)
        #expect(responses.map { $0.meta["response"]?["status"] } == [204, 204])
        #expect(responses.allSatisfy { $0.payload.isNull })
        await server.stop()
    }

    @Test func a4xxFailsTheEventWithTheStatusWithoutRetrying() async throws {
        let server = try await HttpTestServer.start { _, _ in .init(status: 422, headers: ["content-type": "text/plain"], body: "field 'x' is required") }
        let (report, responses) = try await run(server.port, events: [(["a": 1], .null)])
        #expect(report == FlowReport(produced: 2, acked: 1, failed: 1))
        #expect(server.seen.count == 1)
        #expect(responses.first?.meta["response"]?["status"] == 422)
        #expect(responses.first?.payload == "field 'x' is required")
        await server.stop()
    }

    @Test func serverErrorsAreRetriedHonouringRetryAfterThenDelivered() async throws {
        let server = try await HttpTestServer.start { index, _ in
            switch index {
            case 0: .init(status: 503, headers: ["retry-after": "1"])
            case 1: .init(status: 429)
            default: .init(status: 200, body: #"{"ok":true}"#)
            }
        }
        let (report, responses) = try await run(server.port, events: [(["a": 1], .null)])
        #expect(report == FlowReport(produced: 2, acked: 2, failed: 0))
        let times = server.seen.map(\.at)
        #expect(times.count == 3)
        // The server asked for one second; the backoff alone would have waited 10 ms.
        #expect(times[1] - times[0] >= .milliseconds(900))
        #expect(responses.map(\.payload) == [["ok": true]])
        await server.stop()
    }

    @Test func afterMaxRetriesTheEventFailsWithTheLastReason() async throws {
        let server = try await HttpTestServer.start { _, _ in .init(status: 500, headers: ["content-type": "text/plain"], body: "boom") }
        let (report, responses) = try await run(server.port, reconnect: ["initial_ms": 10, "max_ms": 20, "max_retries": 2], events: [(["a": 1], .null)])
        #expect(report == FlowReport(produced: 2, acked: 1, failed: 1))
        #expect(server.seen.count == 3)
        #expect(responses.first?.meta["response"]?["status"] == 500)
        await server.stop()
    }

    @Test func whileTheServerIsDownEventsWaitAndAreDeliveredWhenItComesBack() async throws {
        let probe = try await HttpTestServer.start { _, _ in .init() }
        let port = probe.port
        await probe.stop()
        let late = Task {
            try await Task.sleep(for: .milliseconds(600))
            return try await HttpTestServer.start(port: port) { _, seen in .init(status: 200, body: seen.body) }
        }
        let (report, responses) = try await run(
            port, reconnect: ["initial_ms": 20, "max_ms": 100],
            events: (0..<5).map { (["n": .int(Int64($0))], .null) })
        let server = try await late.value
        #expect(report == FlowReport(produced: 10, acked: 10, failed: 0))
        #expect(Set(responses.map(\.payload)) == Set((0..<5).map { ["n": .int(Int64($0))] }))
        await server.stop()
    }

    @Test func connectionsArePooledAndKeptAliveAndConcurrencyIsBounded() async throws {
        let server = try await HttpTestServer.start { _, seen in .init(status: 200, body: seen.body, delay: .milliseconds(20)) }
        let (report, _) = try await run(server.port, config: ["concurrency": 1], events: (0..<20).map { (["n": .int(Int64($0))], .null) })
        #expect(report.failed == 0)
        #expect(Set(server.seen.map(\.peer)).count == 1, "20 requests one at a time should share one kept-alive connection")
        let wide = try await HttpTestServer.start { _, seen in .init(status: 200, body: seen.body, delay: .milliseconds(50)) }
        let (wideReport, _) = try await run(wide.port, config: ["concurrency": 4], events: (0..<40).map { (["n": .int(Int64($0))], .null) })
        #expect(wideReport.failed == 0)
        #expect(wide.mostInFlight <= 4)
        #expect(wide.mostInFlight >= 2)
        #expect(Set(wide.seen.map(\.peer)).count <= 4)
        await server.stop()
        await wide.stop()
    }

    @Test func noResponseWithinTimeoutMsFailsTheEvent() async throws {
        let server = try await HttpTestServer.start { _, _ in .init(status: 200, delay: .seconds(3)) }
        let (report, responses) = try await run(server.port, config: ["timeout_ms": 200], reconnect: ["max_retries": 0], events: [(["a": 1], .null)])
        #expect(report == FlowReport(produced: 1, acked: 0, failed: 1))
        #expect(responses.isEmpty)
        await server.stop()
    }

    @Test func httpsWithTheServersCaIsTrustedAndWithoutItRefused() async throws {
        let certificate = try SelfSignedCertificate.make()
        let server = try await HttpTestServer.start(tls: try certificate.serving()) { _, seen in .init(status: 200, body: seen.body) }
        let (trusted, responses) = try await run(server.port, config: ["tls": ["ca": .string(certificate.cert)]], events: [(["a": 1], .null)], scheme: "https")
        #expect(trusted == FlowReport(produced: 2, acked: 2, failed: 0))
        #expect(responses.map(\.payload) == [["a": 1]])
        let (refused, _) = try await run(server.port, config: ["timeout_ms": 1500], reconnect: ["max_retries": 0], events: [(["a": 1], .null)], scheme: "https")
        #expect(refused == FlowReport(produced: 1, acked: 0, failed: 1))
        #expect(server.seen.count == 1)
        await server.stop()
    }

    @Test func verifyFalseTrustsAnyServer() async throws {
        let certificate = try SelfSignedCertificate.make()
        let server = try await HttpTestServer.start(tls: try certificate.serving()) { _, _ in .init(status: 200) }
        let (report, _) = try await run(server.port, config: ["tls": ["verify": false]], events: [(["a": 1], .null)], scheme: "https")
        #expect(report == FlowReport(produced: 2, acked: 2, failed: 0))
        await server.stop()
    }

    @Test func aClientCertificateGetsPastAServerThatAsksForOne() async throws {
        // One self-signed certificate is the server's, the client's and the CA both trust.
        let certificate = try SelfSignedCertificate.make()
        let pem: Value = ["cert": .string(certificate.cert), "key": .string(certificate.key), "ca": .string(certificate.cert)]
        func flow(clientTLS: Value) -> FlowDefinition {
            FlowDefinition(
                file: "test.yaml",
                connectors: [
                    ConnectorDefinition(name: "script", type: "scripted", location: here),
                    ConnectorDefinition(
                        name: "client", type: "http_client", config: ["url": "https://localhost:1/", "tls": clientTLS],
                        reconnect: ["max_retries": 0], location: here),
                    ConnectorDefinition(name: "web", type: "http_server", config: ["url": "127.0.0.1:0", "tls": pem], location: here),
                    ConnectorDefinition(name: "collector", type: "collector", location: here),
                ],
                links: [FlowFixtures.link("script", "client"), FlowFixtures.link("web", "collector")])
        }
        for (clientTLS, delivered) in [(pem, true), (["ca": .string(certificate.cert)] as Value, false)] {
            let script = Script()
            let collected = Collected()
            let port = PortBox()
            var registry = ConnectorRegistry.standard
            registry.register(ScriptedConnector(script))
            registry.register(CollectorConnector("collector", collected))
            registry.register(HttpServerConnector { port.set($0) })
            // The client needs the server's port, which is known once the server listens.
            let probe = RunningFlow(flow(clientTLS: clientTLS), registry: registry)
            let bound = try await port.wait()
            script.emit(["mutual": true], meta: ["request": ["url": .string("https://localhost:\(bound)/mtls")]])
            script.finish()
            if delivered {
                let events = try await collected.wait(for: 1)
                #expect(events.first?.payload == ["mutual": true])
            } else {
                try await Task.sleep(for: .milliseconds(500))
                #expect(collected.all.isEmpty)
            }
            let report = try await probe.stop()
            #expect(report.failed == (delivered ? 0 : 1))
        }
    }

    @Test func badConfigsNameTheKeyAndTheFix() {
        let info = HttpClientConnector().info
        func check(_ config: Value) -> ConnectorConfigError? { configError(info, config) }
        #expect(check([:])?.key == "url")
        #expect(check(["url": "ftp://example.org/"])?.key == "url")
        #expect(check(["url": "http://127.0.0.1:1/", "method": "PO ST"])?.key == "method")
        #expect(check(["url": "http://127.0.0.1:1/", "headers": ["bad name": "x"]])?.key == "headers.bad name")
        #expect(check(["url": "http://127.0.0.1:1/", "concurrency": 0])?.key == "concurrency")
        #expect(check(["url": "http://127.0.0.1:1/", "timeout_ms": -5])?.key == "timeout_ms")
        #expect(check(["url": "http://127.0.0.1:1/", "tls": ["verify": "no"]])?.key == "tls.verify")
        #expect(check(["url": "https://127.0.0.1:1/x", "method": "GET", "headers": ["authorization": "Bearer t"], "tls": true]) == nil)
    }
}
