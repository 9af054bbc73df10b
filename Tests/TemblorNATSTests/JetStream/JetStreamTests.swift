import NIOCore
import TemblorTestSupport
import Testing

@testable import TemblorNATS

@Suite(.enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(1)))
struct JetStreamTests {
    /// A server, a client and the JetStream API, with stream `S` on `s.>` and a durable pull
    /// consumer `C` whose ack wait is `ackWait`.
    private struct Fixture {
        let server: NATSServer
        let client: NATSClient
        let jetStream: JetStreamContext

        static func make(ackWait: Duration = .seconds(30), maxDeliver: Int = -1) async throws -> Fixture {
            let server = try await NATSServer.start()
            let client = try await connectedClient(server)
            let jetStream = JetStreamContext(client: client)
            var stream = JetStreamStreamConfig(name: "S", subjects: ["s.>"])
            stream.storage = .memory
            _ = try await jetStream.createStream(stream)
            var consumer = JetStreamConsumerConfig(durableName: "C")
            consumer.ackWait = ackWait
            consumer.maxDeliver = maxDeliver
            _ = try await jetStream.createConsumer(stream: "S", config: consumer)
            return Fixture(server: server, client: client, jetStream: jetStream)
        }

        func publish(_ count: Int, from first: Int = 1) async throws {
            for index in first..<(first + count) { _ = try await jetStream.publish(ByteBuffer(string: "m\(index)"), to: "s.\(index)") }
        }

        func close() async { await client.close() }
    }

    @Test func managesStreamsAndConsumers() async throws {
        let server = try await NATSServer.start()
        let client = try await connectedClient(server)
        let jetStream = JetStreamContext(client: client)
        #expect(try await jetStream.streamInfo("ORDERS") == nil)

        var config = JetStreamStreamConfig(name: "ORDERS", subjects: ["orders.>"])
        config.duplicateWindow = .seconds(30)
        config.maxMessages = 1000
        config.maxAge = .seconds(3600)
        let created = try await jetStream.createStream(config)
        #expect(created.config.name == "ORDERS" && created.config.subjects == ["orders.>"])
        #expect(created.config.replicas == 1 && created.config.storage == .file && created.config.retention == .limits)
        #expect(created.config.duplicateWindow == .seconds(30) && created.config.maxMessages == 1000 && created.config.maxAge == .seconds(3600))
        #expect(created.state.messages == 0)
        // The same configuration again is fine; another is refused with the server's words.
        #expect(try await jetStream.createStream(config).config == created.config)
        var different = config
        different.subjects = ["other.>"]
        let conflict = await failure { try await jetStream.createStream(different) }
        guard case .jetStream(let code, let errorCode, let description)? = conflict else {
            Issue.record("a conflicting stream ended with \(String(describing: conflict))")
            return
        }
        #expect(code == 400 && errorCode == 10058 && description.contains("already in use"))

        #expect(try await jetStream.consumerInfo(stream: "ORDERS", name: "worker") == nil)
        var consumerConfig = JetStreamConsumerConfig(durableName: "worker")
        consumerConfig.ackWait = .seconds(7)
        consumerConfig.maxDeliver = 5
        consumerConfig.filterSubject = "orders.new"
        consumerConfig.maxAckPending = 100
        let consumer = try await jetStream.createConsumer(stream: "ORDERS", config: consumerConfig)
        #expect(consumer.stream == "ORDERS" && consumer.name == "worker")
        #expect(consumer.config.ackPolicy == .explicit && consumer.config.ackWait == .seconds(7))
        #expect(consumer.config.maxDeliver == 5 && consumer.config.filterSubject == "orders.new" && consumer.config.maxAckPending == 100)
        #expect(consumer.config.deliverPolicy == .all)
        let fetched = try #require(try await jetStream.consumerInfo(stream: "ORDERS", name: "worker"))
        #expect(fetched.config == consumer.config)
        #expect(try await jetStream.streamInfo("ORDERS")?.state.consumerCount == 1)

        await #expect(throws: NATSError.self) { try await jetStream.consumerInfo(stream: "MISSING", name: "worker") }
        await #expect(throws: NATSError.self) { try await jetStream.streamInfo("bad.name") }

        try await jetStream.deleteConsumer(stream: "ORDERS", name: "worker")
        #expect(try await jetStream.consumerInfo(stream: "ORDERS", name: "worker") == nil)
        try await jetStream.deleteStream("ORDERS")
        #expect(try await jetStream.streamInfo("ORDERS") == nil)
        await #expect(throws: NATSError.self) { try await jetStream.deleteStream("ORDERS") }
        await client.close()
    }

    @Test func publishesWithReceiptsAndDropsDuplicates() async throws {
        let fixture = try await Fixture.make()
        let jetStream = fixture.jetStream
        var sequences: [UInt64] = []
        for index in 1...3 {
            let ack = try await jetStream.publish(ByteBuffer(string: "\(index)"), to: "s.a", messageID: "id-\(index)")
            #expect(ack.stream == "S" && !ack.duplicate)
            sequences.append(ack.sequence)
        }
        #expect(sequences == [1, 2, 3])
        let again = try await jetStream.publish(ByteBuffer(string: "2 again"), to: "s.a", messageID: "id-2")
        #expect(again == JetStreamPubAck(stream: "S", sequence: 2, duplicate: true))
        #expect(try await jetStream.streamInfo("S")?.state.messages == 3)
        // Headers travel with the stored message.
        _ = try await jetStream.publish(ByteBuffer(string: "h"), to: "s.h", headers: NATSHeaders([("Kind", "test")]), messageID: "id-h")
        let messages = try await jetStream.fetch(stream: "S", consumer: "C", batch: 4, expires: .seconds(2))
        #expect(messages.map { String(buffer: $0.message.payload) } == ["1", "2", "3", "h"])
        #expect(messages.last?.message.headers?["Kind"] == "test")
        #expect(messages.last?.message.headers?["Nats-Msg-Id"] == "id-h")

        let uncaptured = await failure { try await jetStream.publish(ByteBuffer(string: "x"), to: "nostream.here") }
        guard case .noResponders(let subject)? = uncaptured else {
            Issue.record("a publish no stream captures ended with \(String(describing: uncaptured))")
            return
        }
        #expect(subject == "nostream.here")
        await fixture.close()
    }

    @Test func fetchesBatchesAndReturnsEarlyWhenTheServerHasNoMore() async throws {
        let fixture = try await Fixture.make()
        try await fixture.publish(5)
        let puller = try await fixture.jetStream.puller(stream: "S", consumer: "C")

        let first = try await puller.fetch(batch: 3, expires: .seconds(5))
        #expect(first.map(\.metadata.streamSequence) == [1, 2, 3])
        #expect(first.map { String(buffer: $0.message.payload) } == ["m1", "m2", "m3"])
        #expect(first.map(\.message.subject) == ["s.1", "s.2", "s.3"])
        #expect(first.allSatisfy { $0.metadata.stream == "S" && $0.metadata.consumer == "C" && $0.metadata.delivered == 1 })
        #expect(first.map(\.metadata.pending) == [4, 3, 2])
        #expect(first[0].metadata.timestamp > 1_600_000_000_000_000_000)

        // Two are left: a batch of ten returns them when the request expires.
        var start = ContinuousClock.now
        let second = try await puller.fetch(batch: 10, expires: .milliseconds(500))
        #expect(second.map(\.metadata.streamSequence) == [4, 5])
        #expect(ContinuousClock.now - start < .seconds(2))

        // Nothing left: no_wait answers at once, a waiting fetch after its expiry.
        start = ContinuousClock.now
        #expect(try await puller.fetch(batch: 5, expires: .seconds(5), noWait: true).isEmpty)
        #expect(ContinuousClock.now - start < .seconds(1))
        start = ContinuousClock.now
        #expect(try await puller.fetch(batch: 5, expires: .milliseconds(300)).isEmpty)
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(280) && waited < .seconds(2))

        // A message published while a fetch waits arrives in that fetch.
        let waiting = Task { try await puller.fetch(batch: 1, expires: .seconds(5)) }
        try await Task.sleep(for: .milliseconds(100))
        try await fixture.publish(1, from: 6)
        #expect(try await waiting.value.map(\.metadata.streamSequence) == [6])
        // no_wait with messages there returns them.
        try await fixture.publish(2, from: 7)
        #expect(try await puller.fetch(batch: 5, expires: .seconds(1), noWait: true).map(\.metadata.streamSequence) == [7, 8])

        // Many fetches reuse the one subscription.
        #expect(fixture.client.state.withLock { $0.subscriptions.count } == 1)
        for message in first + second { try await message.ack(on: fixture.client) }
        await puller.close()
        #expect(fixture.client.state.withLock { $0.subscriptions.count } == 0)
        await fixture.close()
    }

    @Test func ackedMessagesAreNotDeliveredAgain() async throws {
        let fixture = try await Fixture.make(ackWait: .seconds(1))
        try await fixture.publish(2)
        let puller = try await fixture.jetStream.puller(stream: "S", consumer: "C")
        let messages = try await puller.fetch(batch: 2, expires: .seconds(2))
        try #require(messages.count == 2)
        try await messages[0].ackSync(on: fixture.client)
        try await messages[1].ack(on: fixture.client)
        try await fixture.client.flush()
        // Well past the ack wait: nothing comes back.
        #expect(try await puller.fetch(batch: 2, expires: .milliseconds(1500)).isEmpty)
        let info = try #require(try await fixture.jetStream.consumerInfo(stream: "S", name: "C"))
        #expect(info.ackPending == 0 && info.ackFloor.streamSequence == 2 && info.redelivered == 0)
        await fixture.close()
    }

    @Test func nakDeliversAgainAfterTheDelay() async throws {
        let fixture = try await Fixture.make()
        try await fixture.publish(1)
        let puller = try await fixture.jetStream.puller(stream: "S", consumer: "C")
        let first = try #require(try await puller.fetch(batch: 1, expires: .seconds(2)).first)
        let nakked = ContinuousClock.now
        try await first.nak(on: fixture.client, delay: .milliseconds(600))
        try await fixture.client.flush()
        #expect(try await puller.fetch(batch: 1, expires: .seconds(1), noWait: true).isEmpty)
        let again = try #require(try await puller.fetch(batch: 1, expires: .seconds(3)).first)
        #expect(ContinuousClock.now - nakked >= .milliseconds(600))
        #expect(again.metadata.streamSequence == first.metadata.streamSequence)
        #expect(again.metadata.delivered == 2)
        // A nak without delay comes back at once.
        try await again.nak(on: fixture.client)
        let third = try #require(try await puller.fetch(batch: 1, expires: .seconds(2)).first)
        #expect(third.metadata.delivered == 3)
        try await third.ack(on: fixture.client)
        await fixture.close()
    }

    @Test func termedMessagesAreNeverDeliveredAgain() async throws {
        let fixture = try await Fixture.make(ackWait: .seconds(1))
        try await fixture.publish(1)
        let puller = try await fixture.jetStream.puller(stream: "S", consumer: "C")
        let message = try #require(try await puller.fetch(batch: 1, expires: .seconds(2)).first)
        try await message.term(on: fixture.client)
        try await fixture.client.flush()
        #expect(try await puller.fetch(batch: 1, expires: .milliseconds(1600)).isEmpty)
        #expect(try await fixture.jetStream.consumerInfo(stream: "S", name: "C")?.ackPending == 0)
        await fixture.close()
    }

    @Test func inProgressHoldsOffRedeliveryWhichOtherwiseGoesToAnotherPuller() async throws {
        let fixture = try await Fixture.make(ackWait: .milliseconds(1500))
        try await fixture.publish(2)
        let worker = try await fixture.jetStream.puller(stream: "S", consumer: "C")
        let other = try await fixture.jetStream.puller(stream: "S", consumer: "C")
        let requestedAt = ContinuousClock.now
        let delivered = try await worker.fetch(batch: 2, expires: .seconds(2))
        try #require(delivered.count == 2)
        let (held, dropped) = (delivered[0], delivered[1])
        #expect(held.metadata.streamSequence == 1 && dropped.metadata.streamSequence == 2)

        // Working on `held` for three seconds, twice its ack wait, saying so every 300 ms.
        let working = Task {
            for _ in 0..<10 {
                try await held.inProgress(on: fixture.client)
                try await Task.sleep(for: .milliseconds(300))
            }
        }
        // Meanwhile the other puller gets `dropped` again once its ack wait is over...
        let redelivered = try await other.fetch(batch: 1, expires: .seconds(3))
        #expect(redelivered.map(\.metadata.streamSequence) == [2])
        #expect(redelivered.first?.metadata.delivered == 2)
        #expect(ContinuousClock.now - requestedAt >= .milliseconds(1450))
        if let again = redelivered.first { try await again.ackSync(on: fixture.client) }
        // ...and never `held`, though its ack wait passed twice over.
        #expect(try await other.fetch(batch: 1, expires: .milliseconds(1500)).isEmpty)
        try await working.value
        try await held.ackSync(on: fixture.client)
        let info = try #require(try await fixture.jetStream.consumerInfo(stream: "S", name: "C"))
        #expect(info.ackPending == 0 && info.redelivered == 0)
        await fixture.close()
    }

    @Test func aPullTheConsumerRefusesThrows() async throws {
        let fixture = try await Fixture.make()
        var limited = JetStreamConsumerConfig(durableName: "SMALL")
        limited.maxBatch = 2
        let created = try await fixture.jetStream.createConsumer(stream: "S", config: limited)
        #expect(created.config.maxBatch == 2)
        try await fixture.publish(3)
        let puller = try await fixture.jetStream.puller(stream: "S", consumer: "SMALL")
        let refused = await failure { try await puller.fetch(batch: 3, expires: .seconds(1)) }
        guard case .jetStream(let code, _, let description)? = refused else {
            Issue.record("a batch over max_batch ended with \(String(describing: refused))")
            return
        }
        #expect(code == 409 && description.contains("MaxRequestBatch"), "\(description)")
        #expect(try await puller.fetch(batch: 2, expires: .seconds(1)).count == 2)
        await puller.close()
        await fixture.close()
    }

    @Test func pullingAMissingConsumerSaysSo() async throws {
        let fixture = try await Fixture.make()
        // The server does not answer pulls for a consumer that does not exist; the fetch finds
        // out once its wait is over.
        let start = ContinuousClock.now
        let missing = await failure { try await fixture.jetStream.fetch(stream: "S", consumer: "NOPE", batch: 1, expires: .milliseconds(200)) }
        guard case .jetStream(let code, let errorCode, let description)? = missing else {
            Issue.record("pulling from a missing consumer ended with \(String(describing: missing))")
            return
        }
        #expect(code == 404 && errorCode == 10014 && description.contains("'NOPE'"))
        #expect(ContinuousClock.now - start < .seconds(3))
        await fixture.close()
    }
}
