import Foundation
import NIOCore
import NIOSSL
import TemblorTestSupport
import Testing

@testable import TemblorNATS

@Suite(.enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(1)))
struct NATSTLSTests {
    /// A certificate for 127.0.0.1 and localhost, made with openssl in the server's directory.
    private func certificate(in directory: String) throws -> (cert: String, key: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", directory + "/key.pem", "-out", directory + "/cert.pem",
            "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl failed (scripts/bootstrap.sh installs it)")
        return (directory + "/cert.pem", directory + "/key.pem")
    }

    @Test func upgradesAfterInfoAndChecksTheCertificate() async throws {
        let directory = NSTemporaryDirectory() + "temblor-nats-tls-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (cert, key) = try certificate(in: directory)
        let server = try await NATSServer.start(arguments: ["--tls", "--tlscert", cert, "--tlskey", key], jetStream: false)

        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(cert)
        let context = try NIOSSLContext(configuration: configuration)

        // A tls:// URL, and a plain one where INFO's tls_required asks for the upgrade.
        for url in ["tls://127.0.0.1:\(server.port)", "nats://127.0.0.1:\(server.port)"] {
            var options = NATSClientOptions(servers: [try NATSServerAddress(url: url)])
            options.tls = context
            let client = NATSClient(options: options)
            try await client.connect()
            #expect(client.serverInfo?.tlsRequired == true)
            let subscription = try await client.subscribe(to: "secure")
            try await client.flush()
            try await client.publish(ByteBuffer(string: "over tls"), to: "secure")
            #expect(await nextMessage(subscription).map { String(buffer: $0.payload) } == "over tls")
            await client.close()
        }

        // Without trusting the certificate the upgrade fails, saying so.
        let untrusting = NATSClient(options: NATSClientOptions(servers: [server.address]))
        let untrusted = await failure { try await untrusting.connect() }
        guard case .noServerAvailable(let failures)? = untrusted else {
            Issue.record("connecting without trusting the certificate ended with \(String(describing: untrusted))")
            return
        }
        #expect(failures.first?.1.contains("TLS") == true, "\(failures)")
        await untrusting.close()
    }

    @Test func refusesAPlainServerWhenTLSIsRequired() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = NATSClient(options: NATSClientOptions(servers: [try NATSServerAddress(url: "tls://127.0.0.1:\(server.port)")]))
        let plain = await failure { try await client.connect() }
        guard case .noServerAvailable(let failures)? = plain else {
            Issue.record("connecting in plain text ended with \(String(describing: plain))")
            return
        }
        #expect(failures.first?.1.contains("does not offer TLS") == true, "\(failures)")
        await client.close()
    }
}
