import NIOCore
import TemblorTestSupport
import Testing

@testable import TemblorNATS

@Suite(.enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(1)))
struct NATSReconnectTests {
    @Test func resubscribesAfterTheServerComesBack() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = try await connectedClient(server)
        let events = EventRecorder(client)
        let plain = try await client.subscribe(to: "survive.>")
        let grouped = try await client.subscribe(to: "survive.group", queue: "g")
        try await client.flush()
        let silent = try await client.subscribe(to: "never.answers")
        _ = silent
        try await client.flush()
        let pending = Task { () -> NATSError? in
            do throws(NATSError) {
                _ = try await client.request(ByteBuffer(), to: "never.answers", timeout: .seconds(30))
                return nil
            } catch {
                return error
            }
        }
        #expect(await eventually { client.state.withLock { !$0.requests.isEmpty } })

        await server.kill()
        #expect(await events.wait(for: "disconnected"))
        #expect(!client.isConnected)
        // The request in flight fails at once rather than at its timeout.
        let failed = await pending.value
        guard case .notConnected = failed else {
            Issue.record("the pending request ended with \(String(describing: failed))")
            return
        }
        // Nothing is buffered while disconnected.
        do {
            try await client.publish(ByteBuffer(string: "lost"), to: "survive.x")
            Issue.record("published while disconnected")
        } catch {
            guard case .notConnected = error else { Issue.record("\(error)"); return }
        }
        // A subscription made while disconnected is sent with the next connection.
        let late = try await client.subscribe(to: "late")

        try await server.restart()
        #expect(await events.wait(for: "reconnected"))
        #expect(client.isConnected)
        #expect(plain.sid < grouped.sid && grouped.sid < late.sid)

        let publisher = try await connectedClient(server)
        try await publisher.publish(ByteBuffer(string: "back"), to: "survive.one")
        try await publisher.publish(ByteBuffer(string: "grouped"), to: "survive.group")
        try await publisher.publish(ByteBuffer(string: "late"), to: "late")
        #expect(await nextMessage(plain).map { String(buffer: $0.payload) } == "back")
        #expect(await nextMessage(plain).map { String(buffer: $0.payload) } == "grouped")
        let groupedMessage = await nextMessage(grouped)
        #expect(groupedMessage.map { String(buffer: $0.payload) } == "grouped")
        #expect(groupedMessage?.sid == grouped.sid)
        #expect(await nextMessage(late).map { String(buffer: $0.payload) } == "late")
        // Requests work again on the re-made inbox subscription.
        let echo = try await publisher.subscribe(to: "echo")
        try await publisher.flush()
        let serving = Task {
            for await request in echo { if let reply = request.reply { try? await publisher.publish(request.payload, to: reply) } }
        }
        let answer = try await client.request(ByteBuffer(string: "ping"), to: "echo", timeout: .seconds(5))
        #expect(String(buffer: answer.payload) == "ping")
        serving.cancel()

        #expect(events.names == ["connected", "disconnected", "reconnected"])
        for case .disconnected(let reason) in events.all {
            #expect("\(reason)".hasPrefix("nats connection lost: ") && "\(reason)".contains("127.0.0.1:\(server.port)"), "\(reason)")
        }
        for case .reconnected(let address) in events.all { #expect(address == server.address) }
        await publisher.close()
        await client.close()
    }
}

@Suite(.enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(1)))
struct NATSClusterTests {
    @Test func failsOverToServersTheClusterAnnounced() async throws {
        let nodes = try await NATSServer.cluster(size: 3)
        // Only the first node is configured; the others come from INFO's connect_urls.
        let client = try await connectedClient(nodes[0])
        let events = EventRecorder(client)
        #expect(await eventually { Set(client.state.withLock { $0.rotation.servers.map(\.port) }) == Set(nodes.map(\.port)) })
        let jetStream = JetStreamContext(client: client, timeout: .seconds(5))
        var config = JetStreamStreamConfig(name: "FAILOVER", subjects: ["failover.>"])
        config.replicas = 3
        let created = try await retrying { try await jetStream.createStream(config) }
        #expect(created.config.replicas == 3)
        let subscription = try await client.subscribe(to: "core.>")
        try await client.flush()
        for index in 1...5 {
            let ack = try await retrying { try await jetStream.publish(ByteBuffer(string: "\(index)"), to: "failover.a", messageID: "m\(index)") }
            #expect(ack.stream == "FAILOVER")
        }

        await nodes[0].kill()
        #expect(await events.wait(for: "reconnected", within: .seconds(15)))
        let server = try #require(client.state.withLock { $0.connection?.server })
        #expect(server.port != nodes[0].port)

        // Core subscriptions moved along; the stream is still there, with all its messages.
        let other = try await connectedClient(nodes[1])
        try await other.publish(ByteBuffer(string: "moved"), to: "core.x")
        #expect(await nextMessage(subscription).map { String(buffer: $0.payload) } == "moved")
        let ack = try await retrying { try await jetStream.publish(ByteBuffer(string: "6"), to: "failover.a", messageID: "m6") }
        #expect(ack.sequence == 6)
        let info = try await retrying { try await jetStream.streamInfo("FAILOVER") }
        #expect(info?.state.messages == 6)
        await other.close()
        await client.close()
    }

    /// Repeats a JetStream call that may fail while the cluster elects leaders.
    private func retrying<T>(_ operation: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            do {
                return try await operation()
            } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}
