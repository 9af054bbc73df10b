import Foundation
import NIOCore
import NIOSSL
import TemblorNATS
import TemblorRuntime
import TemblorTestSupport
import TemblorValue
import Testing

@testable import TemblorConnectors

/// `nats` against a server that asks for TLS and a token: the connector's `tls` and `token`
/// reach the client (the client's own tests refuse a wrong token and an untrusted certificate).
@Suite(.serialized, .enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(1)))
struct NatsSecureConnectionTests {
    /// A certificate for 127.0.0.1 and localhost, made with openssl in `directory`.
    private func certificate(in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl failed (scripts/bootstrap.sh installs it)")
        return directory + "/cert.pem"
    }

    @Test func eventsGoBothWaysOverTLSWithAToken() async throws {
        let directory = NSTemporaryDirectory() + "temblor-nats-secure-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cert = try certificate(in: directory)
        let server = try await NATSServer.start(
            arguments: ["--tls", "--tlscert", cert, "--tlskey", directory + "/key.pem", "--auth", "s3cret"], jetStream: false)
        defer { Task { await server.stop() } }

        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(cert)
        var options = NATSClientOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: server.port)])
        options.tls = try NIOSSLContext(configuration: configuration)
        options.auth = .token("s3cret")
        let client = NATSClient(options: options)
        try await client.connect()
        defer { Task { await client.close() } }
        let out = try await client.subscribe(to: "secure.out")
        try await client.flush()

        let secure: Value = ["servers": [.string("tls://127.0.0.1:\(server.port)")], "token": "s3cret", "tls": ["ca": .string(cert)]]
        var inConfig = secure
        inConfig["subject"] = "secure.in"
        var outConfig = secure
        outConfig["subject"] = "secure.out"
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [natsConnector("in", inConfig), natsConnector("out", outConfig)],
            pipelines: [passthroughPipeline],
            links: [FlowFixtures.link("in", "pass"), FlowFixtures.link("pass", "out")])
        let running = runNatsFlow(flow)

        // Core NATS keeps nothing for a subscriber that is not there yet: publish until one comes out.
        let publisher = Task {
            while !Task.isCancelled {
                try await client.publish(ByteBuffer(string: #"{"secret":"kept"}"#), to: "secure.in")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let forwarded = try await within(seconds: 20) { await out.next(upTo: 1)?.first }
        publisher.cancel()
        #expect(forwarded?.payload.text == #"{"secret":"kept"}"#)
        _ = try await running.stop()
    }
}
