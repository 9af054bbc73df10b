import Logging
import NIOCore
import Synchronization
import TemblorNATS
import TemblorRuntime
import TemblorValue

/// The JetStream messages a `nats` source sent on and whose events' fate is not known yet, by
/// event sequence: an ack of all of a message's events acks it, a fail naks it with the
/// reconnect backoff for its delivery count, and the fail of its last delivery (`max_deliver`)
/// sends it to `err` and terminates it once `err` took it. Messages unsettled for half their ack
/// wait are reported in progress, so that slow work is not delivered twice.
final class NatsInFlight: Sendable {
    /// One message and how many of its events are still out.
    private struct Entry {
        var message: JetStreamMessage
        var events: Range<UInt64>
        var remaining: Int
        /// Events that are frames which did not decode: sent to `err`, their fail is no reason
        /// to deliver the message again (it would not decode the next time either).
        var undecodable: [UInt64]
        var touched: ContinuousClock.Instant
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        /// The later events of messages that became several, to the message's first event.
        var parts: [UInt64: UInt64] = [:]
        /// Dead letters sent to `err` and not answered yet, by their event sequence.
        var deadLetters: [UInt64: (message: JetStreamMessage, touched: ContinuousClock.Instant)] = [:]
        var nextDeadLetter: UInt64 = 0
        var finished = false
    }

    /// The stream id that dead letters carry in their event ids; `openStream` never gets this far.
    static let deadLetterStream = UInt64.max

    private let connection: NatsConnection
    private let context: SourceContext
    private let streamID: UInt64
    private let ackWait: Duration
    private let maxDeliver: Int?
    private let state = Mutex(State())
    private let settlements: AsyncStream<NatsSettlement>.Continuation
    private let settler: Task<Void, Never>
    private let refresher = Mutex<Task<Void, Never>?>(nil)

    /// Messages of `context`'s stream `streamID`, from a consumer with this ack wait and delivery limit.
    init(connection: NatsConnection, context: SourceContext, streamID: UInt64, ackWait: Duration, maxDeliver: Int?) {
        self.connection = connection
        self.context = context
        self.streamID = streamID
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        let (stream, continuation) = AsyncStream.makeStream(of: NatsSettlement.self)
        settlements = continuation
        settler = Task { await Self.settle(stream, connection: connection, context: context) }
        startRefreshing()
    }

    /// How many messages are out.
    var count: Int { state.withLock { $0.entries.count + $0.deadLetters.count } }

    /// `message` becomes the events `events` of the stream (sent after this call, so that no
    /// ack can come first); `undecodable` are those that are frames which did not decode.
    func track(_ message: JetStreamMessage, events: Range<UInt64>, undecodable: [UInt64]) {
        guard !events.isEmpty else {
            // Nothing to deliver (an empty message the preprocessors dropped): done with it.
            settlements.yield(.ack(message))
            return
        }
        var kept = message
        // Only a last delivery's payload can still be needed, as a dead letter.
        if let maxDeliver, message.metadata.delivered < maxDeliver { kept.message.payload = ByteBuffer() }
        state.withLock { state in
            state.entries[events.lowerBound] = Entry(
                message: kept, events: events, remaining: events.count, undecodable: undecodable, touched: .now)
            for sequence in events.dropFirst() { state.parts[sequence] = events.lowerBound }
        }
    }

    /// The acks and fails of this source's events, as the router tells them (quick, never waits).
    func acknowledged(_ acknowledgement: Acknowledgement) {
        var settled: [NatsSettlement] = []
        let sourceId = context.sourceId
        let hasErrorRoute = context.hasErrorRoute
        state.withLock { state in
            for id in acknowledgement.ids where id.source == sourceId {
                if id.stream == Self.deadLetterStream {
                    guard let message = state.deadLetters.removeValue(forKey: id.sequence)?.message else { continue }
                    if acknowledgement.delivered {
                        settled.append(.term(message))
                    } else {
                        context.logger.error(
                            "\(context.name): the dead letter of \(Self.describe(message)) was not delivered (\(acknowledgement.reason ?? "no reason given")); the message stays unacknowledged in its stream")
                        settled.append(.nak(message, delay: delay(for: message)))
                    }
                    continue
                }
                guard id.stream == streamID else { continue }
                let key: UInt64? = state.entries[id.sequence] != nil ? id.sequence : state.parts[id.sequence]
                guard let key, var entry = state.entries[key] else { continue }
                if acknowledgement.delivered || entry.undecodable.contains(id.sequence) {
                    entry.remaining -= 1
                    if entry.remaining > 0 {
                        state.entries[key] = entry
                        continue
                    }
                    remove(entry, from: &state)
                    settled.append(.ack(entry.message))
                    continue
                }
                // One event failed: the message is delivered again (its other events' fates
                // no longer matter), or given up on at its last delivery.
                remove(entry, from: &state)
                let message = entry.message
                let reason = acknowledgement.reason ?? "an event failed"
                if let maxDeliver, message.metadata.delivered >= maxDeliver {
                    if hasErrorRoute {
                        let sequence = state.nextDeadLetter
                        state.nextDeadLetter += 1
                        state.deadLetters[sequence] = (message, .now)
                        settled.append(.deadLetter(message, sequence: sequence, reason: reason))
                    } else {
                        context.logger.error(
                            "\(context.name): \(Self.describe(message)) failed its last delivery (\(message.metadata.delivered) of max_deliver \(maxDeliver)): \(reason); terminated, and nothing is linked to err to keep it")
                        settled.append(.term(message))
                    }
                } else {
                    settled.append(.nak(message, delay: delay(for: message)))
                }
            }
        }
        for settlement in settled { settlements.yield(settlement) }
    }

    /// Every quarter of the ack wait, reports the messages unsettled for half of it in progress.
    private func startRefreshing() {
        let half = ackWait / 2
        let period = max(ackWait / 4, .milliseconds(20))
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                guard let self else { return }
                let now = ContinuousClock.now
                let due: [JetStreamMessage] = state.withLock { state in
                    var due: [JetStreamMessage] = []
                    for key in Array(state.entries.keys) where now - state.entries[key]!.touched >= half {
                        state.entries[key]!.touched = now
                        due.append(state.entries[key]!.message)
                    }
                    for key in Array(state.deadLetters.keys) where now - state.deadLetters[key]!.touched >= half {
                        state.deadLetters[key]!.touched = now
                        due.append(state.deadLetters[key]!.message)
                    }
                    return due
                }
                if !due.isEmpty { settlements.yield(.inProgress(due)) }
            }
        }
        refresher.withLock { $0 = task }
    }

    /// Stops reporting progress, tells the server what is still queued, and returns once it did.
    func finish() async {
        refresher.withLock { $0 }?.cancel()
        settlements.finish()
        await settler.value
    }

    private func remove(_ entry: Entry, from state: inout State) {
        state.entries[entry.events.lowerBound] = nil
        for sequence in entry.events.dropFirst() { state.parts[sequence] = nil }
    }

    /// The connector's reconnect backoff for the message's delivery count.
    private func delay(for message: JetStreamMessage) -> Duration {
        let strategy = connection.reconnect
        return strategy.delay(beforeRetry: message.metadata.delivered) ?? .milliseconds(Int(strategy.nominalDelayMs(beforeRetry: message.metadata.delivered)))
    }

    /// `STREAM:SEQUENCE`, as logs name a message.
    static func describe(_ message: JetStreamMessage) -> String {
        "message \(message.metadata.stream):\(message.metadata.streamSequence)"
    }

    /// Tells the server each settlement in turn; one that finds the client between servers waits
    /// for the next server, since the ack subject is the same on any of them.
    private static func settle(_ settlements: AsyncStream<NatsSettlement>, connection: NatsConnection, context: SourceContext) async {
        let client = connection.client
        for await settlement in settlements {
            switch settlement {
            case .ack(let message):
                await send("ack", message, connection, context) { () async throws(NATSError) in try await message.ack(on: client) }
            case .nak(let message, let delay):
                await send("nak", message, connection, context) { () async throws(NATSError) in try await message.nak(on: client, delay: delay) }
            case .term(let message):
                await send("terminate", message, connection, context) { () async throws(NATSError) in try await message.term(on: client) }
            case .inProgress(let messages):
                for message in messages {
                    await send("extend the ack wait of", message, connection, context) { () async throws(NATSError) in try await message.inProgress(on: client) }
                }
            case .deadLetter(let message, let sequence, let reason):
                let payload: Value = [
                    "error": .string(
                        "\(context.name): \(describe(message)) failed its last delivery (\(message.metadata.delivered)): \(reason)"),
                    "connector": .string(context.name),
                    "data": .string(String(buffer: message.message.payload)),
                ]
                let event = Event(
                    payload: payload, meta: NatsMeta.jetStream(message), ingestNs: Event.nowNs(),
                    id: EventId(source: context.sourceId, stream: deadLetterStream, sequence: sequence))
                context.logger.warning("\(context.name): \(describe(message)) failed its last delivery; sent to err")
                await context.sendErrors([event])
            }
        }
    }

    private static func send(
        _ what: String, _ message: JetStreamMessage, _ connection: NatsConnection, _ context: SourceContext,
        _ body: () async throws(NATSError) -> Void
    ) async {
        for attempt in 1...2 {
            do {
                try await body()
                return
            } catch .notConnected where attempt == 1 {
                guard await connection.waitUntilConnected() else { break }
            } catch .closed {
                break
            } catch {
                context.logger.warning(
                    "\(context.name): cannot \(what) \(describe(message)): \(error); the server delivers it again after its ack wait")
                return
            }
        }
        context.logger.debug("\(context.name): cannot \(what) \(describe(message)): the connection is closed")
    }
}
