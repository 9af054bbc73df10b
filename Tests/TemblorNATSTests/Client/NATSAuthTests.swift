import NIOCore
import TemblorTestSupport
import Testing

@testable import TemblorNATS

@Suite(.enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(1)))
struct NATSAuthTests {
    /// What connect() said, or nil when it connected.
    private func refusal(_ server: NATSServer, url: String? = nil, auth: NATSAuth) async throws -> String? {
        var options = NATSClientOptions(servers: [try url.map { try NATSServerAddress(url: $0) } ?? server.address])
        options.auth = auth
        let client = NATSClient(options: options)
        let outcome: String?
        do {
            try await client.connect()
            try await client.flush()
            outcome = nil
        } catch {
            outcome = "\(error)"
        }
        await client.close()
        return outcome
    }

    @Test func connectsWithTheRightTokenOnly() async throws {
        let server = try await NATSServer.start(arguments: ["--auth", "s3cret"], jetStream: false)
        #expect(try await refusal(server, auth: .token("s3cret")) == nil)
        #expect(try await refusal(server, url: "nats://s3cret@127.0.0.1:\(server.port)", auth: .none) == nil)
        let wrong = try await refusal(server, auth: .token("guess"))
        #expect(wrong?.contains("nats server 127.0.0.1:\(server.port) refused the credentials: 'Authorization Violation'; check the token") == true, "\(wrong ?? "")")
        #expect(try await refusal(server, auth: .none)?.contains("Authorization Violation") == true)
    }

    @Test func connectsWithTheRightUserAndPasswordOnly() async throws {
        let server = try await NATSServer.start(arguments: ["--user", "alice", "--pass", "wonderland"], jetStream: false)
        #expect(try await refusal(server, auth: .user("alice", password: "wonderland")) == nil)
        #expect(try await refusal(server, url: "nats://alice:wonderland@127.0.0.1:\(server.port)", auth: .none) == nil)
        #expect(try await refusal(server, auth: .user("alice", password: "looking-glass"))?.contains("refused the credentials") == true)
        #expect(try await refusal(server, auth: .user("bob", password: "wonderland"))?.contains("Authorization Violation") == true)
    }

    /// The server checks the nonce's signature against the public key it was configured with:
    /// seed decoding, key derivation and signing all have to be right.
    @Test func signsTheNonceWithAnNkeySeed() async throws {
        let seed = NKeySeed(kind: NKeySeed.userPrefix, raw: (0..<32).map { _ in UInt8.random(in: 0...255) })
        let other = NKeySeed(kind: NKeySeed.userPrefix, raw: (0..<32).map { _ in UInt8.random(in: 0...255) })
        let configuration = "authorization { users = [ { nkey: \"\(try seed.publicKey)\" } ] }\n"
        let server = try await NATSServer.start(configuration: configuration, jetStream: false)
        #expect(try await refusal(server, auth: .nkey(seed: seed.encoded)) == nil)
        #expect(try await refusal(server, auth: .nkey(seed: other.encoded))?.contains("Authorization Violation") == true)
        #expect(try await refusal(server, auth: .token("x"))?.contains("Authorization Violation") == true)
    }

    @Test func keepsTheConnectionAfterAPermissionRefusal() async throws {
        let configuration = """
            authorization {
              users = [ { user: "limited", password: "pw", permissions: { subscribe: { deny: ["secret.>"] }, publish: { deny: ["forbidden"] } } } ]
            }

            """
        let server = try await NATSServer.start(configuration: configuration, jetStream: false)
        let client = try await connectedClient(server) { $0.auth = .user("limited", password: "pw") }
        let events = EventRecorder(client)
        let denied = try await client.subscribe(to: "secret.x")
        try await client.publish(ByteBuffer(string: "no"), to: "forbidden")
        try await client.flush()
        let allowed = try await client.subscribe(to: "open")
        try await client.flush()
        try await client.publish(ByteBuffer(string: "yes"), to: "open")
        #expect(await nextMessage(allowed).map { String(buffer: $0.payload) } == "yes")
        #expect(client.isConnected)
        // The recorder hears the client's events on a task of its own, which a loaded machine runs late.
        #expect(await events.wait(for: "connected"))
        #expect(events.names == ["connected"])
        _ = denied
        await client.close()
    }
}
