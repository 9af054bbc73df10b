import NIOCore
import Testing

@testable import TemblorNATS

@Suite(.timeLimit(.minutes(1)))
struct NATSPingTests {
    @Test func answersServerPingsAndReplacesAStaleConnection() async throws {
        // The fake answers the handshake's PING only, then PINGs the client and goes silent.
        let fake = try await FakeNATSServer.start(pongs: 1, pingsClient: true)
        var options = NATSClientOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: fake.port)])
        // Long enough that a loaded machine finishes connecting before the connection goes stale:
        // under the whole suite on two cores, resuming after the handshake can take seconds.
        options.pingInterval = .seconds(2)
        options.maxPingsOutstanding = 2
        options.reconnectDelay = { _ in .seconds(30) }
        let client = NATSClient(options: options)
        let events = EventRecorder(client)
        let start = ContinuousClock.now
        try await client.connect()
        #expect(await eventually { fake.received.contains("PONG") })
        #expect(fake.received.first?.hasPrefix("CONNECT {") == true)
        #expect(await events.wait(for: "disconnected", within: .seconds(30)))
        // Two unanswered PINGs, then the third interval finds the connection stale.
        #expect(ContinuousClock.now - start >= .seconds(6))
        #expect(await eventually { fake.received.filter { $0 == "PING" }.count == 3 })
        guard case .disconnected(let reason) = events.all.last else {
            Issue.record("no disconnect: \(events.names)")
            return
        }
        #expect("\(reason)".contains("answered none of the last 2 PINGs"))
        #expect(!client.isConnected)
        await client.close()
        await fake.close()
    }

    @Test func failsAFlushThatGetsNoPong() async throws {
        let fake = try await FakeNATSServer.start(pongs: 1, pingsClient: false)
        let client = NATSClient(options: NATSClientOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: fake.port)]))
        try await client.connect()
        let unanswered = await failure { try await client.flush(timeout: .milliseconds(200)) }
        guard case .timeout(let what)? = unanswered else {
            Issue.record("a flush without PONG ended with \(String(describing: unanswered))")
            return
        }
        #expect(what.contains("did not answer a PING within"))
        await client.close()
        await fake.close()
    }

    @Test func timesOutAHandshakeThatNeverEnds() async throws {
        let fake = try await FakeNATSServer.start(pongs: 0, pingsClient: false)
        var options = NATSClientOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: fake.port)])
        options.connectTimeout = .milliseconds(300)
        let client = NATSClient(options: options)
        let refused = await failure { try await client.connect() }
        guard case .noServerAvailable(let failures)? = refused else {
            Issue.record("a handshake without PONG ended with \(String(describing: refused))")
            return
        }
        #expect(failures.first?.1.contains("did not complete the handshake within") == true)
        await client.close()
        await fake.close()
    }
}
