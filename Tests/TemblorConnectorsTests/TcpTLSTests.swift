import Foundation
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// `tcp_server` and `tcp_client` speaking TLS to each other on 127.0.0.1, with a certificate
/// the test makes.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TcpTLSTests {
    let here = FlowFixtures.here

    /// `script -> client ~TLS~> server -> collector`; the report, once every event was
    /// delivered or `settle` passed.
    func run(clientTLS: Value, host: String, events: Int, reconnect: Value = ["initial_ms": 10, "max_ms": 20, "max_retries": 2]) async throws -> (FlowReport, [Event]) {
        let certificate = try SelfSignedCertificate.make()
        let port = try HttpExampleTests.freePort()
        let script = Script()
        let collected = Collected()
        var tls = clientTLS
        if case .object = tls, tls["ca"]?.stringValue == "CERT" { tls["ca"] = .string(certificate.cert) }
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                ConnectorDefinition(
                    name: "client", type: "tcp_client", config: ["url": .string("\(host):\(port)"), "tls": tls], reconnect: reconnect, location: here),
                ConnectorDefinition(
                    name: "server", type: "tcp_server",
                    config: ["url": .string("127.0.0.1:\(port)"), "tls": ["cert": .string(certificate.cert), "key": .string(certificate.key)]],
                    location: here),
                ConnectorDefinition(name: "collector", type: "collector", location: here),
            ],
            links: [FlowFixtures.link("script", "client"), FlowFixtures.link("server", "collector")])
        let bound = PortBox()
        var registry = ConnectorRegistry.standard
        registry.register(ScriptedConnector(script))
        registry.register(CollectorConnector("collector", collected))
        registry.register(TcpServerConnector { bound.set($0) })
        let running = RunningFlow(flow, registry: registry)
        // Events sent before the client's first connection fail (tcp_client's rule): the test
        // sends once the server listens and the client had time to retry.
        _ = try await bound.wait()
        try await Task.sleep(for: .milliseconds(300))
        for n in 0..<events { script.emit(["n": .int(Int64(n))]) }
        script.finish()
        // A stop ends the server's reading too: wait until what was sent arrived (the untrusting case: until the client gave up).
        _ = try? await collected.wait(for: events, seconds: events > 10 ? 30 : 5)
        let report = try await running.stop()
        return (report, collected.all)
    }

    @Test func aClientTrustingTheServersCertificateDeliversEveryEventOverTLS() async throws {
        for host in ["127.0.0.1", "localhost"] {
            let (_, received) = try await run(clientTLS: ["ca": "CERT"], host: host, events: 200)
            #expect(received.map(\.payload) == (0..<200).map { ["n": .int(Int64($0))] }, "over \(host)")
        }
    }

    @Test func aClientThatDoesNotTrustTheServerNeverSendsAndItsEventsFail() async throws {
        let (report, received) = try await run(clientTLS: true, host: "localhost", events: 5)
        #expect(received.isEmpty)
        // The client's events failed (none were written to a server it does not trust).
        #expect(report.failed == 5)
    }

    @Test func tlsKeysAreCheckedWithTheirNames() throws {
        let server = TcpServerConnector().info
        let client = TcpClientConnector().info
        #expect(configError(server, ["url": "127.0.0.1:0", "tls": true])?.key == "tls")
        #expect(configError(server, ["url": "127.0.0.1:0", "tls": ["key": "k.pem"]])?.key == "tls.cert")
        #expect(configError(client, ["url": "127.0.0.1:1", "tls": ["verify": 3]])?.key == "tls.verify")
        #expect(configError(client, ["url": "127.0.0.1:1", "tls": ["ca": "ca.pem", "cipher": "x"]])?.key == "tls.cipher")
        #expect(configError(client, ["url": "127.0.0.1:1", "tls": true]) == nil)
    }

    @Test func aMissingCertificateStopsTheFlowNamingTheFile() async throws {
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(
                    name: "server", type: "tcp_server", config: ["url": "127.0.0.1:0", "tls": ["cert": "/nonexistent/c.pem", "key": "/nonexistent/k.pem"]],
                    location: here),
                ConnectorDefinition(name: "sink", type: "blackhole", location: here),
            ],
            links: [FlowFixtures.link("server", "sink")])
        let runner = FlowRunner(flow: flow, directory: ".", connectors: .standard, operators: OperatorRegistry())
        await #expect {
            _ = try await runner.run()
        } throws: { error in
            "\(error)".contains("/nonexistent/c.pem")
        }
    }
}
