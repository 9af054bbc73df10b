import Foundation
import NIOCore
import TemblorTestSupport
import Testing

@testable import TemblorNATS

/// A server in operator mode, trusting one operator whose account issued one user: the whole
/// chain a `.creds` file belongs to, made here with nkeys so that no NATS tooling is needed.
@Suite(.enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(1)))
struct NATSCredentialsTests {
    private static func randomSeed(_ kind: UInt8) -> NKeySeed {
        NKeySeed(kind: kind, raw: (0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    /// A JWT as nats-server reads them: ed25519-nkey, signed by the issuer's seed.
    private static func jwt(issuer: NKeySeed, subject: String, name: String, nats: String) throws -> String {
        let header = #"{"typ":"JWT","alg":"ed25519-nkey"}"#
        let claims = """
            {"jti":"\(NATSRandom.token(length: 52).uppercased())","iat":\(Int(Date().timeIntervalSince1970)),"iss":"\(try issuer.publicKey)",\
            "name":"\(name)","sub":"\(subject)","nats":\(nats)}
            """
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
        return input + "." + Base64URL.encode(try issuer.sign(Array(input.utf8)))
    }

    private static func credsFile(jwt: String, seed: String) -> String {
        """
        -----BEGIN NATS USER JWT-----
        \(jwt)
        ------END NATS USER JWT------

        ************************* IMPORTANT *************************
        NKEY Seed printed below can be used to sign and prove identity.

        -----BEGIN USER NKEY SEED-----
        \(seed)
        ------END USER NKEY SEED------

        """
    }

    @Test func connectsWithACredsFile() async throws {
        let operatorKey = Self.randomSeed(14 << 3)
        let accountKey = Self.randomSeed(0)
        let userKey = Self.randomSeed(NKeySeed.userPrefix)
        let operatorJWT = try Self.jwt(
            issuer: operatorKey, subject: try operatorKey.publicKey, name: "op", nats: #"{"type":"operator","version":2}"#)
        let accountJWT = try Self.jwt(
            issuer: operatorKey, subject: try accountKey.publicKey, name: "acct",
            nats: #"{"limits":{"subs":-1,"data":-1,"payload":-1,"imports":-1,"exports":-1,"wildcards":true,"conn":-1,"leaf":-1},"default_permissions":{"pub":{},"sub":{}},"type":"account","version":2}"#
        )
        let userJWT = try Self.jwt(
            issuer: accountKey, subject: try userKey.publicKey, name: "user",
            nats: #"{"pub":{},"sub":{},"subs":-1,"data":-1,"payload":-1,"type":"user","version":2}"#)
        let configuration = """
            operator: "\(operatorJWT)"
            resolver: MEMORY
            resolver_preload: {
              \(try accountKey.publicKey): "\(accountJWT)"
            }

            """
        let server = try await NATSServer.start(configuration: configuration, jetStream: false)
        let good = server.directory + "/user.creds"
        try Self.credsFile(jwt: userJWT, seed: userKey.encoded).write(toFile: good, atomically: true, encoding: .utf8)

        let client = try await connectedClient(server) { $0.auth = try! NATSAuth.credentialsFile(good) }
        let subscription = try await client.subscribe(to: "creds.test")
        try await client.flush()
        try await client.publish(ByteBuffer(string: "signed in"), to: "creds.test")
        #expect(await nextMessage(subscription).map { String(buffer: $0.payload) } == "signed in")
        await client.close()

        // The user's JWT with another seed: the server refuses the signature.
        let wrong = server.directory + "/wrong.creds"
        try Self.credsFile(jwt: userJWT, seed: Self.randomSeed(NKeySeed.userPrefix).encoded).write(toFile: wrong, atomically: true, encoding: .utf8)
        var options = NATSClientOptions(servers: [server.address])
        options.auth = try NATSAuth.credentialsFile(wrong)
        let impostor = NATSClient(options: options)
        let refused = await failure { try await impostor.connect() }
        guard case .noServerAvailable(let failures)? = refused else {
            Issue.record("a wrong seed ended with \(String(describing: refused))")
            return
        }
        #expect(failures.first?.1.contains("refused the credentials") == true, "\(failures)")
        await impostor.close()
    }
}
