import NIOCore
import TemblorCodecs
import TemblorNATS
import TemblorRuntime
import TemblorValue

/// The sink side: publishes each event as one message to `subject` (or the `meta.nats.subject`
/// a pipeline set), with `meta.nats.headers`. On core NATS an event is acked once its message
/// is queued for the socket (at most once). With `jetstream` an event is acked only once the
/// stream's PubAck says it is stored, the messages of a batch sent in order and in flight
/// together (see `NatsPublisher`); each carries
/// a `Nats-Msg-Id` derived from where the event came from (see `NatsMeta.messageID`), so that
/// the stream drops what a redelivery publishes twice. While no server answers, the breaker
/// holds the sources upstream and the events in hand wait for the next server.
struct NatsSink: Sink {
    let connection: NatsConnection

    /// How often a publish that timed out or found no stream is tried again (with the same
    /// `Nats-Msg-Id`) before its event fails.
    static let retries = 5

    /// One event's message, ready to publish.
    struct Outgoing: Sendable {
        var subject: String
        var headers: NATSHeaders?
        var payload: ByteBuffer
        var messageID: String?
    }

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        var encoder = try MessageEncoder(context)
        connection.attach(context.breaker)
        let confirmed = connection.config.jetStream != nil
        let publisher: NatsPublisher? = confirmed ? try await openPublisher() : nil
        while let batch = await input.next() {
            var ready: [(Event, Outgoing)] = []
            ready.reserveCapacity(batch.count)
            for event in batch {
                do {
                    ready.append((event, try outgoing(event, encoder: &encoder, confirmed: confirmed)))
                } catch {
                    context.fail([event], reason: "\(context.name): event \(event.id) not published: \(error)")
                }
            }
            if let publisher {
                await publishConfirmed(ready, publisher, context)
            } else {
                await publishCore(ready, context)
            }
        }
        if let publisher {
            await publisher.close()
        } else {
            try? await connection.client.flush()
        }
    }

    /// The inbox for PubAcks; made once a server answers.
    private func openPublisher() async throws -> NatsPublisher {
        while true {
            let failure: NATSError
            do {
                return try await NatsPublisher.open(on: connection.client)
            } catch {
                failure = error
            }
            guard case .notConnected = failure else { throw failure }
            guard await connection.waitUntilConnected() else { throw NATSError.closed }
        }
    }

    private func outgoing(_ event: Event, encoder: inout MessageEncoder, confirmed: Bool) throws(NatsSinkError) -> Outgoing {
        guard let subject = NatsMeta.subject(of: event, default: connection.config.subject) else { throw .noSubject }
        guard NatsConfig.isSubject(subject), !NatsConfig.hasWildcard(subject) else { throw .badSubject(subject) }
        let headers = try NatsMeta.headers(of: event)
        let payload: ByteBuffer
        do throws(CodecError) {
            payload = try encoder.encode(event.payload)
        } catch {
            throw .encoding("\(error)")
        }
        return Outgoing(
            subject: subject, headers: headers, payload: payload, messageID: confirmed ? NatsMeta.messageID(of: event, run: connection.run) : nil)
    }

    /// Publishes in order; each event is acked once its message is queued.
    private func publishCore(_ ready: [(Event, Outgoing)], _ context: SinkContext) async {
        let client = connection.client
        var published: [Event] = []
        published.reserveCapacity(ready.count)
        for (event, message) in ready {
            let result = await retrying(message.subject) { () async throws(NATSError) in
                try await client.publish(message.payload, to: message.subject, headers: message.headers)
            }
            switch result {
            case .success: published.append(event)
            case .failure(let error): context.fail([event], reason: "\(context.name): event \(event.id) not published: \(error)")
            }
        }
        if !published.isEmpty { context.ack(published) }
    }

    /// Publishes the batch in order, with every message in flight together, and acks each
    /// event once the stream stored its message. Messages that got no receipt, found no
    /// connection or no stream answering yet go out again (with the same `Nats-Msg-Id`) a few
    /// times before their events fail.
    private func publishConfirmed(_ ready: [(Event, Outgoing)], _ publisher: NatsPublisher, _ context: SinkContext) async {
        var pending = Array(ready.indices)
        var stored: [Event] = []
        stored.reserveCapacity(ready.count)
        var retries = 0
        while !pending.isEmpty {
            let outcomes = await publisher.publish(pending.map { ready[$0].1 })
            var again: [Int] = []
            var lastFailure: NatsSinkError?
            var needsConnection = false
            for (position, outcome) in outcomes.enumerated() {
                let index = pending[position]
                switch outcome {
                case .stored:
                    stored.append(ready[index].0)
                case .refused(let error):
                    context.fail([ready[index].0], reason: "\(context.name): event \(ready[index].0.id) not stored: \(error)")
                case .retry(let error, let connection):
                    again.append(index)
                    lastFailure = error
                    needsConnection = needsConnection || connection
                }
            }
            pending = again
            guard !pending.isEmpty else { break }
            if needsConnection {
                // Waiting for a server is no attempt used up.
                if await connection.waitUntilConnected() { continue }
            } else {
                retries += 1
                if retries <= Self.retries {
                    try? await Task.sleep(for: connection.reconnect.delay(beforeRetry: retries) ?? .milliseconds(connection.reconnect.maxMs))
                    continue
                }
            }
            let events = pending.map { ready[$0].0 }
            context.fail(events, reason: "\(context.name): \(events.count) event(s) not stored: \(lastFailure.map { "\($0)" } ?? "the connection is closed")")
            break
        }
        if !stored.isEmpty { context.ack(stored) }
    }

    /// Runs `publish`, waiting for the next server while there is none; other failures end it.
    private func retrying(_ subject: String, _ publish: () async throws(NATSError) -> Void) async -> Result<Void, NatsSinkError> {
        while true {
            do {
                try await publish()
                return .success(())
            } catch .notConnected, .connectionLost {
                guard await connection.waitUntilConnected() else { return .failure(.publish(subject: subject, .closed)) }
            } catch {
                return .failure(.publish(subject: subject, error))
            }
        }
    }
}
