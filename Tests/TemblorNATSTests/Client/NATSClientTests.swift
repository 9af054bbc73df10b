import NIOCore
import Synchronization
import TemblorTestSupport
import Testing

@testable import TemblorNATS

@Suite(.enabled(if: natsServerInstalled, natsServerMissing), .timeLimit(.minutes(1)))
struct NATSClientTests {
    @Test func connectsAndReportsTheServer() async throws {
        let server = try await NATSServer.start()
        let client = NATSClient(options: NATSClientOptions(servers: [server.address]))
        let events = EventRecorder(client)
        #expect(!client.isConnected)
        try await client.connect()
        #expect(client.isConnected)
        let info = try #require(client.serverInfo)
        #expect(info.version.hasPrefix("2."))
        #expect(info.headers && info.jetStream)
        #expect(info.maxPayload == 1_048_576)
        #expect(info.serverName == "n1")
        #expect(await events.wait(for: "connected"))
        try await client.flush()
        // A second connect is a no-op.
        try await client.connect()
        await client.close()
        #expect(!client.isConnected)
        #expect(await events.wait(for: "closed"))
        #expect(events.names == ["connected", "closed"])
    }

    @Test func deliversPayloadsByteForByte() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = try await connectedClient(server)
        let subscription = try await client.subscribe(to: "bytes.>")
        try await client.flush()
        let binary = (0...255).map { UInt8($0) } + Array("\r\nMSG x 1 2\r\n".utf8)
        let large = (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let payloads: [[UInt8]] = [[], binary, Array("hello".utf8), large]
        for (index, payload) in payloads.enumerated() {
            try await client.publish(ByteBuffer(bytes: payload), to: "bytes.\(index)", reply: index == 2 ? "back.here" : nil)
        }
        for (index, payload) in payloads.enumerated() {
            let message = try #require(await nextMessage(subscription))
            #expect(message.subject == "bytes.\(index)")
            #expect(message.sid == subscription.sid)
            #expect(message.payload.bytes == payload, "payload \(index)")
            #expect(message.headers == nil)
            #expect(message.reply == (index == 2 ? "back.here" : nil))
        }
        await #expect(throws: NATSError.self) {
            try await client.publish(ByteBuffer(repeating: 1, count: 1_048_577), to: "bytes.big")
        }
        let tooLarge = await failure { try await client.publish(ByteBuffer(repeating: 1, count: 1_048_577), to: "bytes.big") }
        guard case .payloadTooLarge(let size, let limit)? = tooLarge else {
            Issue.record("a too large publish ended with \(String(describing: tooLarge))")
            return
        }
        #expect(size == 1_048_577 && limit == 1_048_576)
        await client.close()
    }

    @Test func roundTripsHeaders() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = try await connectedClient(server)
        let subscription = try await client.subscribe(to: "headers")
        try await client.flush()
        var headers = NATSHeaders([("Content-Type", "application/json"), ("X-Trace", "a"), ("x-trace", "lower")])
        headers.append("b", for: "X-Trace")
        try await client.publish(ByteBuffer(string: "{}"), to: "headers", headers: headers)
        try await client.publish(ByteBuffer(), to: "headers", headers: NATSHeaders([("Only", "headers")]))
        let first = try #require(await nextMessage(subscription))
        #expect(first.headers == headers)
        #expect(first.headers?.values(for: "X-Trace") == ["a", "b"])
        #expect(String(buffer: first.payload) == "{}")
        #expect(first.status == nil)
        let second = try #require(await nextMessage(subscription))
        #expect(second.headers?["Only"] == "headers")
        #expect(second.payload.readableBytes == 0)
        await #expect(throws: NATSError.self) {
            try await client.publish(ByteBuffer(), to: "headers", headers: NATSHeaders([("Bad", "line\nbreak")]))
        }
        await client.close()
    }

    @Test func sharesQueueGroupMessagesAndGivesPlainSubscribersAll() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let first = try await connectedClient(server)
        let second = try await connectedClient(server)
        let publisher = try await connectedClient(server)
        let workerA = try await first.subscribe(to: "jobs.*", queue: "workers")
        let workerB = try await second.subscribe(to: "jobs.*", queue: "workers")
        let watcher = try await first.subscribe(to: "jobs.>")
        #expect(workerA.queue == "workers" && watcher.queue == nil)
        try await first.flush()
        try await second.flush()
        let total = 400
        for index in 0..<total { try await publisher.publish(ByteBuffer(string: "\(index)"), to: "jobs.\(index % 7)") }
        try await publisher.flush()
        #expect(await eventually { workerA.buffered + workerB.buffered == total && watcher.buffered == total })
        try await first.flush()
        try await second.flush()
        #expect(workerA.buffered + workerB.buffered == total)
        #expect(workerA.buffered > 0 && workerB.buffered > 0)
        var seen = Set<String>()
        while let message = workerA.poll() ?? workerB.poll() { seen.insert(String(buffer: message.payload)) }
        #expect(seen.count == total)
        // The plain subscriber got every message, in order.
        for index in 0..<total { #expect(watcher.poll().map { String(buffer: $0.payload) } == "\(index)") }
        await first.close()
        await second.close()
        await publisher.close()
    }

    @Test func keepsOrderOverManyPublishes() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = try await connectedClient(server)
        let subscription = try await client.subscribe(to: "burst")
        try await client.flush()
        let count = 20_000
        for index in 0..<count { try await client.publish(ByteBuffer(string: "\(index)"), to: "burst") }
        var received = 0
        for await message in subscription {
            #expect(String(buffer: message.payload) == "\(received)")
            received += 1
            if received == count { break }
        }
        #expect(received == count)
        #expect(subscription.dropped == 0)
        await client.close()
    }

    @Test func answersRequests() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let responder = try await connectedClient(server)
        let requester = try await connectedClient(server)
        let service = try await responder.subscribe(to: "math.double")
        try await responder.flush()
        let serving = Task {
            for await request in service {
                guard let reply = request.reply, let number = Int(String(buffer: request.payload)) else { continue }
                var headers = NATSHeaders()
                headers["Handled-By"] = "responder"
                try? await responder.publish(ByteBuffer(string: "\(number * 2)"), to: reply, headers: headers)
            }
        }
        let answer = try await requester.request(ByteBuffer(string: "21"), to: "math.double", timeout: .seconds(2))
        #expect(String(buffer: answer.payload) == "42")
        #expect(answer.headers?["Handled-By"] == "responder")
        // Many at once share the one inbox subscription and each gets its own answer.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 0..<50 {
                group.addTask {
                    let answer = try await requester.request(ByteBuffer(string: "\(number)"), to: "math.double", timeout: .seconds(5))
                    #expect(String(buffer: answer.payload) == "\(number * 2)")
                }
            }
            try await group.waitForAll()
        }
        #expect(requester.state.withLock { $0.requests.isEmpty && $0.subscriptions.isEmpty && $0.requestInbox != nil })
        serving.cancel()
        await responder.close()
        await requester.close()
    }

    @Test func saysWhenNobodyAnswers() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = try await connectedClient(server)
        let nobody = await failure { try await client.request(ByteBuffer(string: "?"), to: "nobody.home", timeout: .seconds(2)) }
        guard case .noResponders(let subject)? = nobody else {
            Issue.record("a request without responders ended with \(String(describing: nobody))")
            return
        }
        #expect(subject == "nobody.home")
        // A subscriber that never answers: the request times out, in about its timeout.
        let silent = try await client.subscribe(to: "silent")
        try await client.flush()
        let start = ContinuousClock.now
        let unanswered = await failure { try await client.request(ByteBuffer(), to: "silent", timeout: .milliseconds(300)) }
        guard case .timeout(let what)? = unanswered else {
            Issue.record("a request to a silent subscriber ended with \(String(describing: unanswered))")
            return
        }
        #expect(what.contains("silent"))
        let waited = ContinuousClock.now - start
        #expect(waited >= .milliseconds(290) && waited < .seconds(2))
        _ = silent
        await client.close()
    }

    @Test func checksSubjectsBeforeSending() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = try await connectedClient(server)
        for bad in ["", "a b", "a..b", "wild.*", "tail.>"] {
            let refused = await failure { try await client.publish(ByteBuffer(), to: bad) }
            guard case .invalidSubject(let subject)? = refused else {
                Issue.record("publishing to '\(bad)' ended with \(String(describing: refused))")
                continue
            }
            #expect(subject == bad)
        }
        await #expect(throws: NATSError.self) { try await client.subscribe(to: "a.>.b") }
        await #expect(throws: NATSError.self) { try await client.subscribe(to: "ok", queue: "two words") }
        // The connection is still fine.
        try await client.flush()
        await client.close()
    }

    @Test func unsubscribingEndsTheSequence() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = try await connectedClient(server)
        let subscription = try await client.subscribe(to: "temp")
        try await client.flush()
        try await client.publish(ByteBuffer(string: "before"), to: "temp")
        try await client.flush()
        #expect(await eventually { subscription.buffered == 1 })
        await subscription.unsubscribe()
        try await client.publish(ByteBuffer(string: "after"), to: "temp")
        try await client.flush()
        var received: [String] = []
        for await message in subscription { received.append(String(buffer: message.payload)) }
        #expect(received == ["before"])
        await client.close()
    }

    @Test func refusesWorkWhenNotConnectedOrClosed() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = NATSClient(options: NATSClientOptions(servers: [server.address]))
        await #expect(throws: NATSError.self) { try await client.publish(ByteBuffer(), to: "x") }
        do {
            try await client.publish(ByteBuffer(), to: "x")
        } catch {
            guard case .notConnected = error else { Issue.record("\(error)"); return }
        }
        await #expect(throws: NATSError.self) { try await client.subscribe(to: "x") }
        try await client.connect()
        let subscription = try await client.subscribe(to: "x")
        let reading = Task { await nextMessage(subscription, within: .seconds(30)) }
        let events = EventRecorder(client)
        await client.close()
        #expect(await reading.value == nil)
        do {
            try await client.publish(ByteBuffer(), to: "x")
        } catch {
            guard case .closed = error else { Issue.record("\(error)"); return }
        }
        do {
            try await client.connect()
        } catch {
            guard case .closed = error else { Issue.record("\(error)"); return }
        }
        #expect(await events.wait(for: "closed"))
        // close() twice is fine.
        await client.close()
    }

    @Test func namesEachServerThatCouldNotBeReached() async throws {
        let ports = try NATSServer.freePorts(2)
        var options = NATSClientOptions(servers: ports.map { NATSServerAddress(host: "127.0.0.1", port: $0) })
        options.connectTimeout = .seconds(1)
        let client = NATSClient(options: options)
        let refused = await failure { try await client.connect() }
        guard case .noServerAvailable(let failures)? = refused else {
            Issue.record("connecting to nothing ended with \(String(describing: refused))")
            return
        }
        #expect(failures.map(\.0.port) == ports)
        #expect(failures.allSatisfy { $0.1.contains("refused the connection") })
        let text = "\(NATSError.noServerAvailable(failures))"
        #expect(text.contains("nats server 127.0.0.1:\(ports[0]) refused the connection"))
        #expect(!client.isConnected)
        await client.close()
    }

    @Test func dropsWhatAFullSubscriptionCannotHold() async throws {
        let server = try await NATSServer.start(jetStream: false)
        let client = try await connectedClient(server) { $0.subscriptionCapacity = 10 }
        let subscription = try await client.subscribe(to: "flood")
        try await client.flush()
        for index in 0..<25 { try await client.publish(ByteBuffer(string: "\(index)"), to: "flood") }
        try await client.flush()
        #expect(await eventually { subscription.dropped == 15 })
        #expect(subscription.buffered == 10)
        #expect(subscription.poll().map { String(buffer: $0.payload) } == "0")
        await client.close()
    }
}
