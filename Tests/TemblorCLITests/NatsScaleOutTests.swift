import Foundation
import NIOCore
import Synchronization
import TemblorNATS
import TemblorTestSupport
import Testing

/// What the test's two readers of the cluster count while the run goes on: the PubAcks of the
/// publisher, and every copy the workers published to `out.x` (core NATS sees duplicates that
/// the stream drops).
final class ScaleOutTally: Sendable {
    /// The ids of `in.x` the stream acknowledged.
    let stored = Mutex<Set<Int>>([])
    /// How many times each id was published to `out.x`.
    let published = Mutex<[Int: Int]>([:])
    /// Copies published to `out.x` from a delivery after the first.
    let fromRedeliveries = Atomic<Int>(0)

    var storedCount: Int { stored.withLock { $0.count } }
}

/// Scale-out on JetStream, tested with processes: three `temblor run` workers share one durable
/// consumer on a three-node cluster, each enriching events in a Lua operator and publishing
/// them to an output stream. One worker is killed with SIGKILL and one server is stopped and
/// started again while messages flow; the output stream still ends up with every message
/// exactly once (redeliveries go to the other workers, and the output stream's duplicate window
/// drops what a redelivery publishes a second time).
@Suite(
    .serialized, .enabled(if: NATSServer.binary != nil, "nats-server is not installed (scripts/bootstrap.sh installs it)"),
    .timeLimit(.minutes(5)))
struct NatsScaleOutTests {
    static let messages = 100_000
    static let killWorkerAt = 20_000
    static let stopServerAt = 40_000
    /// How long the stopped server stays down.
    static let outage = Duration.seconds(3)
    /// The consumer's ack wait: how soon the killed worker's messages go to the others.
    static let ackWaitMs = 5000

    static func flow(servers: [String], worker: String) -> String {
        let list = servers.joined(separator: ", ")
        return """
            connectors:
              in:
                type: nats
                config:
                  servers: [\(list)]
                  jetstream: { stream: IN, durable: workers, ack_wait_ms: \(ackWaitMs) }
                reconnect: { initial_ms: 50, max_ms: 500 }
              out:
                type: nats
                config:
                  servers: [\(list)]
                  subject: out.x
                  jetstream: { stream: OUT }
                reconnect: { initial_ms: 50, max_ms: 500 }
            pipelines:
              enrich:
                - lua: { script: enrich.lua, config: { worker: \(worker) } }
            links:
              - in -> enrich
              - enrich -> out

            """
    }

    /// Adds the worker's name and the message's delivery count to each event.
    static let enrich = """
        return {
          api = 1,
          defaults = { worker = "unnamed" },
          on_event = function(ctx, event, meta)
            event.worker = ctx.config.worker
            event.delivered = meta.nats.delivered
            return event
          end,
        }
        """

    /// A directory with the worker's flow and its Lua operator.
    static func workerDirectory(servers: [String], worker: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-scale-out-\(worker)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try flow(servers: servers, worker: worker).write(toFile: dir + "/flow.yaml", atomically: true, encoding: .utf8)
        try enrich.write(toFile: dir + "/enrich.lua", atomically: true, encoding: .utf8)
        return dir
    }

    /// A client of `node` that reconnects fast (to the other nodes too, which the cluster announces).
    static func client(of node: NATSServer, name: String, capacity: Int = NATSSubscription.defaultCapacity) async throws -> NATSClient {
        var options = NATSClientOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: node.port)])
        options.reconnectDelay = { _ in .milliseconds(50) }
        options.name = name
        options.subscriptionCapacity = capacity
        let client = NATSClient(options: options)
        try await client.connect()
        return client
    }

    /// Repeats a JetStream call that may fail while the cluster elects leaders.
    static func retrying<T>(for limit: Duration = .seconds(20), _ operation: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + limit
        while true {
            do {
                return try await operation()
            } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// A stream of three replicas on disk, remembering message ids for ten minutes.
    static func stream(_ name: String, subjects: [String], _ jetStream: JetStreamContext) async throws {
        var config = JetStreamStreamConfig(name: name, subjects: subjects)
        config.replicas = 3
        config.duplicateWindow = .seconds(600)
        _ = try await retrying { try await jetStream.createStream(config) }
    }

    /// Publishes `{"id": N}` with `Nats-Msg-Id: order-N` to `in.x` for every N below `count`, a
    /// window at a time, each message with a reply subject of its own; the ids of a window whose
    /// PubAck did not come within two seconds (a leader being elected, a server going away) go
    /// out again, with the same id. `reached` runs after each window with how many are stored.
    static func publish(
        count: Int, on client: NATSClient, tally: ScaleOutTally, window: Int = 500, reached: (Int) async throws -> Void
    ) async throws {
        let inbox = client.newInbox()
        let acks = try await client.subscribe(to: inbox + ".*")
        let reader = Task {
            for await reply in acks {
                guard reply.status == nil, let n = Int(reply.subject.dropFirst(inbox.count + 1)),
                    let answer = try? JSONSerialization.jsonObject(with: Data(reply.payload.readableBytesView)) as? [String: Any],
                    answer["seq"] != nil
                else { continue }
                _ = tally.stored.withLock { $0.insert(n) }
            }
        }
        defer { reader.cancel() }
        try await client.flush()
        for start in stride(from: 0, to: count, by: window) {
            let ids = start..<min(start + window, count)
            let deadline = ContinuousClock.now + .seconds(60)
            while true {
                let missing = tally.stored.withLock { stored in ids.filter { !stored.contains($0) } }
                if missing.isEmpty { break }
                guard ContinuousClock.now < deadline else {
                    throw NATSServer.Failure("\(missing.count) messages of in.x from \(start) got no PubAck within 60 s")
                }
                for n in missing {
                    do {
                        try await client.publish(
                            ByteBuffer(string: #"{"id":\#(n)}"#), to: "in.x", reply: "\(inbox).\(n)",
                            headers: NATSHeaders([("Nats-Msg-Id", "order-\(n)")]))
                    } catch {
                        break  // between servers: the rest go out on the next round
                    }
                }
                let round = ContinuousClock.now + .seconds(2)
                while ContinuousClock.now < round, tally.stored.withLock({ stored in !ids.allSatisfy(stored.contains) }) {
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            try await reached(ids.upperBound)
        }
        await acks.unsubscribe()
    }

    /// Counts every copy published to `out.x`, by the id in its payload.
    static func watch(_ subscription: NATSSubscription, into tally: ScaleOutTally) -> Task<Void, Never> {
        Task {
            while let batch = await subscription.next(upTo: 1024) {
                var ids: [Int] = []
                var redelivered = 0
                for message in batch {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(message.payload.readableBytesView)) as? [String: Any],
                        let id = object["id"] as? Int
                    else { continue }
                    ids.append(id)
                    if let delivered = object["delivered"] as? Int, delivered > 1 { redelivered += 1 }
                }
                tally.published.withLock { published in
                    for id in ids { published[id, default: 0] += 1 }
                }
                tally.fromRedeliveries.add(redelivered, ordering: .relaxed)
            }
        }
    }

    /// Every message of `stream`, read by a consumer of the test's own that acks nothing.
    static func readAll(_ stream: String, count: Int, _ jetStream: JetStreamContext) async throws -> [JetStreamMessage] {
        var config = JetStreamConsumerConfig(durableName: "check")
        config.ackPolicy = .none
        _ = try await retrying { try await jetStream.createConsumer(stream: stream, config: config) }
        let puller = try await jetStream.puller(stream: stream, consumer: "check")
        var messages: [JetStreamMessage] = []
        messages.reserveCapacity(count)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let batch = try await puller.fetch(batch: 1000, expires: .milliseconds(500))
            messages += batch
            // One more empty fetch after `count`: nothing beyond it either.
            if batch.isEmpty && messages.count >= count { break }
        }
        await puller.close()
        return messages
    }

    /// `12.3 s`.
    static func seconds(_ duration: Duration) -> String {
        let (whole, fraction) = duration.components
        return String(format: "%.1f s", Double(whole) + Double(fraction) / 1e18)
    }

    @Test func threeWorkersDeliverEveryMessageOnceAcrossAKilledWorkerAndARestartedServer() async throws {
        let began = ContinuousClock.now
        let nodes = try await NATSServer.cluster(size: 3)
        let servers = nodes.map(\.url)
        let client = try await Self.client(of: nodes[0], name: "scale-out publisher")
        let jetStream = JetStreamContext(client: client, timeout: .seconds(5))
        try await Self.stream("IN", subjects: ["in.>"], jetStream)
        try await Self.stream("OUT", subjects: ["out.>"], jetStream)

        let tally = ScaleOutTally()
        let watcher = try await Self.client(of: nodes[0], name: "scale-out watcher", capacity: 1 << 20)
        let copies = try await watcher.subscribe(to: "out.x")
        try await watcher.flush()
        let watching = Self.watch(copies, into: tally)

        // The server stopped is one the test's clients are not on, the stream IN's leader when it
        // can be; the third worker connects to it first, so that it has to move to another.
        let leader = try await Self.retrying { try await jetStream.streamInfo("IN")?.cluster?.leader }
        let victim = nodes.dropFirst().first { $0.name == leader } ?? nodes[2]
        let firsts = [nodes[0], nodes.dropFirst().first { $0 !== victim }!, victim]

        let names = ["w1", "w2", "w3"]
        var directories: [String] = []
        var workers: [DaemonProcess] = []
        defer { for dir in directories { try? FileManager.default.removeItem(atPath: dir) } }
        for (name, first) in zip(names, firsts) {
            let dir = try Self.workerDirectory(servers: [first.url] + servers.filter { $0 != first.url }, worker: name)
            directories.append(dir)
            // Each is ready once its first pull succeeded.
            workers.append(try await DaemonProcess(["run", dir + "/flow.yaml", "--control", "none", "--no-watch"], marker: "pulling from IN", directory: dir))
        }

        var killedWorker = false
        var outage: Task<Void, any Error>?
        let publishing = ContinuousClock.now
        try await Self.publish(count: Self.messages, on: client, tally: tally) { stored in
            if !killedWorker, stored >= Self.killWorkerAt {
                killedWorker = true
                _ = try await workers[1].stop(signal: SIGKILL)
                print("nats scale-out test: \(names[1]) killed with SIGKILL at \(stored) messages published")
            }
            if outage == nil, stored >= Self.stopServerAt {
                print(
                    "nats scale-out test: server \(victim.name)\(victim.name == leader ? ", the leader of IN and \(names[2])'s server," : ", \(names[2])'s server,") stopped at \(stored) messages published")
                outage = Task {
                    await victim.stop()
                    try await Task.sleep(for: Self.outage)
                    try await victim.restart()
                }
            }
        }
        let published = ContinuousClock.now - publishing
        try await outage?.value

        // Every id reaches OUT: wait for the count, then for the workers to settle what they hold.
        let outDeadline = ContinuousClock.now + .seconds(120)
        var stored: UInt64 = 0
        while ContinuousClock.now < outDeadline {
            stored = (try? await jetStream.streamInfo("OUT"))?.state.messages ?? stored
            if stored >= UInt64(Self.messages) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let processed = ContinuousClock.now - publishing
        #expect(stored == UInt64(Self.messages), "OUT holds \(stored) messages after 120 s")
        var consumer = try await Self.retrying { try await jetStream.consumerInfo(stream: "IN", name: "workers") }
        let settleDeadline = ContinuousClock.now + .seconds(30)
        while let info = consumer, info.ackPending > 0 || info.pending > 0, ContinuousClock.now < settleDeadline {
            try await Task.sleep(for: .milliseconds(200))
            consumer = (try? await jetStream.consumerInfo(stream: "IN", name: "workers")) ?? consumer
        }

        let messages = try await Self.readAll("OUT", count: Self.messages, jetStream)
        var seen: [Int: Int] = [:]
        var perWorker: [String: Int] = [:]
        var storedFromRedeliveries = 0
        var wrongIDs = 0
        for message in messages {
            let object = try JSONSerialization.jsonObject(with: Data(message.message.payload.readableBytesView)) as? [String: Any]
            let id = try #require(object?["id"] as? Int, "a message of OUT without an id: \(String(buffer: message.message.payload))")
            seen[id, default: 0] += 1
            perWorker[object?["worker"] as? String ?? "none", default: 0] += 1
            if (object?["delivered"] as? Int ?? 1) > 1 { storedFromRedeliveries += 1 }
            if message.message.headers?["Nats-Msg-Id"] != "order-\(id)" { wrongIDs += 1 }
        }
        let missing = (0..<Self.messages).filter { seen[$0] == nil }
        let twice = seen.filter { $0.value > 1 }
        #expect(messages.count == Self.messages, "read \(messages.count) messages from OUT")
        #expect(missing.isEmpty, "\(missing.count) ids never reached OUT, such as \(missing.prefix(5))")
        #expect(twice.isEmpty, "\(twice.count) ids are in OUT more than once, such as \(twice.prefix(5))")
        #expect(seen.count == Self.messages && seen.keys.allSatisfy { (0..<Self.messages).contains($0) })
        #expect(wrongIDs == 0, "\(wrongIDs) messages of OUT carry another Nats-Msg-Id than their order's")
        #expect(Set(perWorker.keys).isSubset(of: Set(names)), "\(perWorker)")

        // Deliveries beyond one per message are the redeliveries; copies published beyond one
        // per id are what OUT's duplicate window dropped.
        let deliveries = consumer?.delivered.consumerSequence ?? 0
        let redelivered = Int(deliveries) - Self.messages
        try await Task.sleep(for: .milliseconds(500))
        let copiesPublished = tally.published.withLock { $0.values.reduce(0, +) }
        let duplicatesDropped = copiesPublished - tally.published.withLock { $0.count }
        let elapsed = ContinuousClock.now - began
        print(
            """
            nats scale-out test: \(Self.messages) messages published in \(Self.seconds(published)), \
            all in OUT after \(Self.seconds(processed)) (\(Self.seconds(elapsed)) with the setup); \
            OUT holds \(seen.count) distinct ids, \(twice.count) twice, \(missing.count) missing
            nats scale-out test: \(redelivered) redeliveries (\(deliveries) deliveries for \(Self.messages) messages), \
            \(tally.fromRedeliveries.load(ordering: .relaxed)) copies published from redeliveries, \(storedFromRedeliveries) of them stored; \
            \(copiesPublished) copies published to out.x, \(duplicatesDropped) dropped by OUT's duplicate window \
            (\(copies.dropped) not seen by the watcher)
            nats scale-out test: stored per worker: \(names.map { "\($0) \(perWorker[$0] ?? 0)" }.joined(separator: ", "))
            """)

        for (index, worker) in workers.enumerated() where index != 1 {
            let status = try await worker.stop()
            #expect(status == 0, "\(names[index]) exited with \(status): \(worker.stderr.suffix(2000))")
        }
        watching.cancel()
        await watcher.close()
        await client.close()
        for node in nodes { await node.stop() }
    }
}
