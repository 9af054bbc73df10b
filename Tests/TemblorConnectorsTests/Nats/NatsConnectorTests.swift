import Foundation
import NIOCore
import Synchronization
import TemblorNATS
import TemblorRuntime
import TemblorTestSupport
import TemblorValue
import Testing

@testable import TemblorConnectors

/// `nats` in whole flows against a nats-server of each test's own on 127.0.0.1: core NATS,
/// JetStream with its acks, naks, terminations and progress reports, and an outage. Every wait
/// is bounded; nothing asserts speed.
@Suite(.serialized, .enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(2)))
struct NatsConnectorTests {
    let here = FlowFixtures.here

    // MARK: core NATS

    @Test func coreMessagesRoundTripWithTheirHeadersAndMeta() async throws {
        let scene = try await NatsScene.start()
        let seen = Collected()
        let script = Script()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                natsConnector("in", ["servers": scene.servers, "subject": "in.*"]),
                natsConnector("out", ["servers": scene.servers, "subject": "out.all"]),
                ConnectorDefinition(name: "seen", type: "collect", location: here),
                ConnectorDefinition(name: "script", type: "scripted", location: here),
            ],
            pipelines: [passthroughPipeline],
            links: [
                FlowFixtures.link("in", "pass"), FlowFixtures.link("pass", "out"), FlowFixtures.link("in", "seen"),
                FlowFixtures.link("script", "out"),
            ])
        let out = try await scene.client.subscribe(to: "out.all")
        let elsewhere = try await scene.client.subscribe(to: "elsewhere")
        try await scene.client.flush()
        let running = runNatsFlow(flow, [CollectorConnector("collect", seen), ScriptedConnector(script)])

        // Core NATS keeps nothing for a subscriber that is not there yet: probe until it is.
        try await within(seconds: 20) {
            while seen.all.isEmpty {
                try await scene.client.publish(ByteBuffer(string: #"{"probe":true}"#), to: "in.probe")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let headers = NATSHeaders([("X-Trace", "t1"), ("X-Tag", "a"), ("X-Tag", "b")])
        try await scene.client.publish(ByteBuffer(string: #"{"n":1}"#), to: "in.a", headers: headers)
        script.emit(["n": 2], meta: ["nats": ["subject": "elsewhere", "headers": ["X-Count": 2]]])

        let forwarded = try await within(seconds: 10) { () async throws -> NATSMessage in
            while let batch = await out.next(upTo: 100) {
                if let message = batch.first(where: { $0.payload.text == #"{"n":1}"# }) { return message }
            }
            throw TimedOut(description: "out.all ended")
        }
        #expect(forwarded.headers?["X-Trace"] == "t1")
        #expect(forwarded.headers?.values(for: "X-Tag") == ["a", "b"])
        let redirected = try await within(seconds: 10) { await elsewhere.next(upTo: 1) }
        #expect(redirected?.first?.payload.text == #"{"n":2}"#)
        #expect(redirected?.first?.headers?["X-Count"] == "2")

        let event = try #require(try await seen.wait(for: 1).first { $0.payload == ["n": 1] })
        let nats = try #require(event.meta["nats"])
        #expect(nats["subject"] == "in.a")
        #expect(nats["received_subject"] == "in.a")
        #expect(nats["headers"] == ["X-Trace": "t1", "X-Tag": ["a", "b"]])
        #expect(nats["stream"] == nil && nats["sequence"] == nil)

        script.finish()
        let report = try await running.stop()
        #expect(report.failed == 0)
        await scene.close()
    }

    // MARK: JetStream

    @Test func jetStreamToJetStreamStoresEachMessageOnceEvenWhenProcessedTwice() async throws {
        let scene = try await NatsScene.start()
        try await scene.stream("IN", subjects: ["in.>"])
        try await scene.stream("OUT", subjects: ["out.>"])
        _ = try await scene.jetStream.publish(ByteBuffer(string: #"{"n":0}"#), to: "in.0", messageID: "order-0")
        for n in 1..<20 { _ = try await scene.jetStream.publish(ByteBuffer(string: #"{"n":\#(n)}"#), to: "in.\(n)") }

        func worker(_ durable: String) -> FlowDefinition {
            FlowDefinition(
                file: "test.yaml",
                connectors: [
                    natsConnector("in", ["servers": scene.servers, "jetstream": ["stream": "IN", "durable": .string(durable)]]),
                    natsConnector("out", ["servers": scene.servers, "subject": "out.copy", "jetstream": ["stream": "OUT"]]),
                ],
                pipelines: [passthroughPipeline], links: [FlowFixtures.link("in", "pass"), FlowFixtures.link("pass", "out")])
        }
        let first = runNatsFlow(worker("first"))
        try await scene.waitFor(20, in: "OUT")
        try await waitUntilAsync { (await scene.consumer("IN", "first")?.ackPending) == 0 }
        #expect(try await first.stop() == FlowReport(produced: 20, acked: 20, failed: 0))

        let stored = try await scene.messages(of: "OUT", count: 20)
        #expect(stored.count == 20)
        let ids = stored.map { $0.message.headers?["Nats-Msg-Id"] ?? "" }
        #expect(ids.first == "order-0")
        #expect(Array(ids.dropFirst()) == (2...20).map { "IN:\($0)" })
        #expect(stored.map(\.message.payload.text) == (0..<20).map { #"{"n":\#($0)}"# })

        // Another worker processing the same messages again (as after a crash before the acks)
        // publishes the same ids: the stream keeps one of each.
        let second = runNatsFlow(worker("second"))
        try await waitUntilAsync { (await scene.consumer("IN", "second")?.delivered.streamSequence) == 20 }
        try await waitUntilAsync { (await scene.consumer("IN", "second")?.ackPending) == 0 }
        #expect(try await second.stop() == FlowReport(produced: 20, acked: 20, failed: 0))
        #expect(try await scene.count("OUT") == 20)
        let again = try await scene.jetStream.publish(ByteBuffer(string: "{}"), to: "out.copy", messageID: "IN:5")
        #expect(again.duplicate)
        #expect(try await scene.count("OUT") == 20)
        await scene.close()
    }

    @Test func aMessageThatBecomesSeveralEventsGivesEachItsPart() async throws {
        let scene = try await NatsScene.start()
        try await scene.stream("IN", subjects: ["in.>"])
        try await scene.stream("OUT", subjects: ["out.>"])
        _ = try await scene.jetStream.publish(ByteBuffer(string: "{\"a\":1}\n{\"a\":2}\n"), to: "in.lines")
        var source = natsConnector("in", ["servers": scene.servers, "jetstream": ["stream": "IN", "durable": "W"]])
        source.preprocessors = [ProcessorReference(name: "separate", location: here)]
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [source, natsConnector("out", ["servers": scene.servers, "subject": "out.lines", "jetstream": ["stream": "OUT"]])],
            links: [FlowFixtures.link("in", "out")])
        let running = runNatsFlow(flow)
        try await scene.waitFor(2, in: "OUT")
        try await waitUntilAsync { (await scene.consumer("IN", "W")?.ackPending) == 0 }
        #expect(try await running.stop() == FlowReport(produced: 2, acked: 2, failed: 0))
        let stored = try await scene.messages(of: "OUT", count: 2)
        #expect(stored.map { $0.message.headers?["Nats-Msg-Id"] ?? "" } == ["IN:1:0", "IN:1:1"])
        #expect(stored.map(\.message.payload.text) == [#"{"a":1}"#, #"{"a":2}"#])
        await scene.close()
    }

    @Test func aFailedEventIsNakedAndDeliveredAgain() async throws {
        let scene = try await NatsScene.start()
        try await scene.stream("IN", subjects: ["in.>"])
        let deliveries = Mutex<[UInt64: [Int64]]>([:])
        let judge = JudgingConnector("judge") { event in
            let nats = event.meta["nats"]
            let sequence = nats?["sequence"]?.uintValue ?? 0
            let delivered = nats?["delivered"]?.intValue ?? 0
            deliveries.withLock { $0[sequence, default: []].append(delivered) }
            return delivered >= 3
        }
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                natsConnector("in", ["servers": scene.servers, "jetstream": ["stream": "IN", "durable": "W"]]),
                ConnectorDefinition(name: "judge", type: "judge", location: here),
            ],
            links: [FlowFixtures.link("in", "judge")])
        let running = runNatsFlow(flow, [judge])
        for n in 1...3 { _ = try await scene.jetStream.publish(ByteBuffer(string: #"{"n":\#(n)}"#), to: "in.\(n)") }
        try await waitUntilAsync { deliveries.withLock { $0.values.filter { $0.count >= 3 }.count } == 3 }
        try await waitUntilAsync { (await scene.consumer("IN", "W")?.ackPending) == 0 }
        #expect(deliveries.withLock { $0 } == [1: [1, 2, 3], 2: [1, 2, 3], 3: [1, 2, 3]])
        let report = try await running.stop()
        #expect(report.acked == 3 && report.failed == 6)
        await scene.close()
    }

    @Test func theLastFailedDeliveryGoesToErrAndIsTerminated() async throws {
        let scene = try await NatsScene.start()
        try await scene.stream("IN", subjects: ["in.>"])
        let dead = Collected()
        let attempts = Mutex<[Int64]>([])
        let judge = JudgingConnector("judge") { event in
            attempts.withLock { $0.append(event.meta["nats"]?["delivered"]?.intValue ?? 0) }
            return false
        }
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                natsConnector("in", ["servers": scene.servers, "jetstream": ["stream": "IN", "durable": "W", "max_deliver": 2]]),
                ConnectorDefinition(name: "judge", type: "judge", location: here),
                ConnectorDefinition(name: "dead", type: "collect", location: here),
            ],
            links: [FlowFixtures.link("in", "judge"), FlowFixtures.link("in", "dead", fromPort: .err)])
        let running = runNatsFlow(flow, [judge, CollectorConnector("collect", dead)])
        for n in 1...2 { _ = try await scene.jetStream.publish(ByteBuffer(string: #"{"n":\#(n)}"#), to: "in.\(n)") }
        let letters = try await dead.wait(for: 2, seconds: 20)
        #expect(Set(letters.compactMap { $0.payload["data"]?.stringValue }) == [#"{"n":1}"#, #"{"n":2}"#])
        for letter in letters {
            #expect(letter.payload["connector"] == "in")
            #expect(letter.payload["error"]?.stringValue?.contains("failed its last delivery (2)") == true, "\(letter.payload)")
            #expect(letter.meta["nats"]?["stream"] == "IN" && letter.meta["nats"]?["delivered"] == 2)
        }
        // Terminated once err took it: nothing is pending, and nothing is delivered again.
        try await waitUntilAsync { (await scene.consumer("IN", "W")?.ackPending) == 0 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(attempts.withLock { $0.sorted() } == [1, 1, 2, 2])
        let consumer = try #require(await scene.consumer("IN", "W"))
        #expect(consumer.pending == 0 && consumer.ackPending == 0)
        _ = try await running.stop()
        await scene.close()
    }

    @Test func progressReportsKeepASlowMessageFromBeingDeliveredAgain() async throws {
        let scene = try await NatsScene.start()
        try await scene.stream("IN", subjects: ["in.>"])
        let deliveries = Mutex<[Int64]>([])
        let judge = JudgingConnector("judge") { event in
            deliveries.withLock { $0.append(event.meta["nats"]?["delivered"]?.intValue ?? 0) }
            // Two ack waits and more: only progress reports keep it from being delivered again.
            try? await Task.sleep(for: .milliseconds(4500))
            return true
        }
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                natsConnector("in", ["servers": scene.servers, "jetstream": ["stream": "IN", "durable": "W", "ack_wait_ms": 2000]]),
                ConnectorDefinition(name: "judge", type: "judge", location: here),
            ],
            links: [FlowFixtures.link("in", "judge")])
        let running = runNatsFlow(flow, [judge])
        _ = try await scene.jetStream.publish(ByteBuffer(string: #"{"slow":true}"#), to: "in.slow")
        try await waitUntilAsync(seconds: 20) { (await scene.consumer("IN", "W")?.ackFloor.streamSequence) == 1 }
        // Past another ack wait: a redelivery would have come by now.
        try await Task.sleep(for: .milliseconds(2500))
        #expect(deliveries.withLock { $0 } == [1])
        let consumer = try #require(await scene.consumer("IN", "W"))
        #expect(consumer.delivered.consumerSequence == 1 && consumer.redelivered == 0 && consumer.ackPending == 0)
        #expect(try await running.stop() == FlowReport(produced: 1, acked: 1, failed: 0))
        await scene.close()
    }

    // MARK: outages

    @Test func whileNoServerAnswersTheBreakerHoldsEventsAndNoneIsLost() async throws {
        let scene = try await NatsScene.start()
        try await scene.stream("OUT", subjects: ["out.>"])
        let script = Script()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                natsConnector("out", ["servers": scene.servers, "subject": "out.events", "jetstream": ["stream": "OUT"]]),
            ],
            links: [FlowFixtures.link("script", "out")])
        let running = runNatsFlow(flow, [ScriptedConnector(script)])
        // A second instance's connection, to watch its breaker through the outage.
        let parts = try NatsConnector().make(natsConnector("watch", ["servers": scene.servers]), directory: ".")
        let watched = try #require(parts.lifecycle as? NatsConnection)
        let breaker = CircuitBreaker(sink: "watch")
        #expect(try await watched.connect())
        watched.attach(breaker)
        #expect(!breaker.isOpen)

        for n in 0..<10 { script.emit(["n": .int(Int64(n))]) }
        try await scene.waitFor(10, in: "OUT")
        await scene.server.stop()
        try await waitUntil(seconds: 10) { breaker.isOpen }
        for n in 10..<20 { script.emit(["n": .int(Int64(n))]) }
        try await Task.sleep(for: .milliseconds(500))
        try await scene.server.restart()
        try await waitUntil(seconds: 20) { !breaker.isOpen }
        try await scene.waitFor(20, in: "OUT", seconds: 30)
        script.finish()
        #expect(try await running.finished() == FlowReport(produced: 20, acked: 20, failed: 0))
        let stored = try await scene.messages(of: "OUT", count: 20)
        #expect(Set(stored.map(\.message.payload.text)) == Set((0..<20).map { #"{"n":\#($0)}"# }))
        await watched.onStop()
        await scene.close()
    }
}

/// Polls the async `condition` every 20 ms, for at most `seconds`.
func waitUntilAsync(seconds: Double = 20, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !(await condition()) {
        guard ContinuousClock.now < deadline else { throw TimedOut(description: "condition not met within \(seconds) s") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
