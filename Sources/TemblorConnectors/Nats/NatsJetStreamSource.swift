import TemblorNATS
import TemblorRuntime
import TemblorValue

/// The source side on JetStream: pulls from the durable consumer that every worker naming it
/// shares (creating it when missing), makes events of each message, and settles each message
/// by its events' fate (see `NatsInFlight`). A message this worker never settles is delivered
/// by the server again, to any worker, after the consumer's ack wait.
struct NatsJetStreamSource: Source {
    let connection: NatsConnection
    let jetStream: NatsJetStreamConfig

    func run(_ context: SourceContext) async throws {
        let consumer = try await ensureConsumer(context)
        var stream = try context.openStream()
        let maxDeliver = consumer.config.maxDeliver > 0 ? consumer.config.maxDeliver : nil
        let inFlight = NatsInFlight(
            connection: connection, context: context, streamID: stream.id, ackWait: consumer.config.ackWait, maxDeliver: maxDeliver)
        connection.track(inFlight)
        context.onAcknowledgements { inFlight.acknowledged($0) }
        let puller = try await makePuller(context)
        let expires = Duration.milliseconds(jetStream.expiresMs)
        var pulled = false
        var failures = 0
        // What is there is taken at once, a batch at a time; once nothing is, the next pull waits
        // (up to `expires`) for one message only, so that a quiet stream's messages are not held
        // back until a batch fills.
        var waitForOne = false
        while !Task.isCancelled {
            let messages: [JetStreamMessage]
            do {
                if waitForOne {
                    messages = try await puller.fetch(batch: 1, expires: expires)
                } else {
                    messages = try await puller.fetch(batch: jetStream.batch, expires: expires, noWait: true)
                }
            } catch .closed {
                break
            } catch .notConnected {
                guard await connection.waitUntilConnected() else { break }
                continue
            } catch .jetStream(_, let code, _) where code == Self.consumerNotFound {
                context.logger.warning("\(context.name): the consumer \(jetStream.durable) on \(jetStream.stream) is gone; creating it again")
                _ = try await ensureConsumer(context)
                continue
            } catch {
                failures += 1
                let delay = connection.reconnect.delay(beforeRetry: failures) ?? .milliseconds(connection.reconnect.maxMs)
                context.logger.warning("\(context.name): pulling from \(jetStream.stream) failed: \(error); trying again in \(delay)")
                try? await Task.sleep(for: delay)
                continue
            }
            failures = 0
            waitForOne = !waitForOne && messages.isEmpty
            if !pulled {
                pulled = true
                context.logger.info("\(context.name): pulling from \(jetStream.stream) as consumer \(jetStream.durable)")
            }
            for message in messages {
                var outcomes = stream.decodeNatsPayload(message.message.payload)
                let first = stream.nextSequence
                inFlight.track(
                    message, events: first..<(first + UInt64(outcomes.count)), undecodable: stream.undecodableSequences(in: outcomes))
                await stream.enqueueNatsMessage(&outcomes, meta: NatsMeta.jetStream(message))
            }
            await stream.flush()
        }
        await puller.close()
    }

    /// `err_code` of a consumer that does not exist.
    static let consumerNotFound = 10014
    /// `err_code` of a stream that does not exist.
    static let streamNotFound = 10059

    /// The durable pull consumer, as the server has it: created with `ack_wait_ms`,
    /// `max_deliver` and `subject` as its filter when missing, used as it is when it exists (its
    /// own ack wait and delivery limit then rule). Transient failures (no server, JetStream
    /// electing a leader, the stream not created yet) are retried with the reconnect backoff.
    private func ensureConsumer(_ context: SourceContext) async throws -> JetStreamConsumerInfo {
        var failures = 0
        func backOff(_ failure: NatsSourceError) async throws {
            failures += 1
            guard let delay = connection.reconnect.delay(beforeRetry: failures) else { throw failure }
            context.logger.warning("\(context.name): \(failure); trying again in \(delay)")
            try await Task.sleep(for: delay)
        }
        while true {
            try Task.checkCancellation()
            let consumer: JetStreamConsumerInfo
            do {
                consumer = try await lookUpOrCreateConsumer(context)
            } catch .jetStream(_, let code, _) where code == Self.streamNotFound {
                try await backOff(.noStream(jetStream.stream))
                continue
            } catch .notConnected {
                guard await connection.waitUntilConnected() else { throw CancellationError() }
                continue
            } catch let error where Self.isTransient(error) {
                try await backOff(.consumer(stream: jetStream.stream, durable: jetStream.durable, error))
                continue
            } catch {
                throw NatsSourceError.consumer(stream: jetStream.stream, durable: jetStream.durable, error)
            }
            if let why = problem(with: consumer, context) {
                throw NatsSourceError.unsuitableConsumer(stream: jetStream.stream, durable: jetStream.durable, why: why)
            }
            return consumer
        }
    }

    private func lookUpOrCreateConsumer(_ context: SourceContext) async throws(NATSError) -> JetStreamConsumerInfo {
        let api = connection.jetStream
        if let existing = try await api.consumerInfo(stream: jetStream.stream, name: jetStream.durable) { return existing }
        var config = JetStreamConsumerConfig(durableName: jetStream.durable)
        config.ackPolicy = .explicit
        config.ackWait = .milliseconds(jetStream.ackWaitMs)
        config.maxDeliver = jetStream.maxDeliver ?? -1
        config.filterSubject = connection.config.subject
        let created = try await api.createConsumer(stream: jetStream.stream, config: config)
        context.logger.info("\(context.name): created the durable consumer \(jetStream.durable) on \(jetStream.stream)")
        return created
    }

    /// Why this source cannot settle messages on `consumer`, if it cannot; notes settings that
    /// differ from the connector's.
    private func problem(with consumer: JetStreamConsumerInfo, _ context: SourceContext) -> String? {
        guard consumer.config.ackPolicy == .explicit else {
            return "acknowledges '\(consumer.config.ackPolicy.rawValue)', not explicitly"
        }
        let wanted = Duration.milliseconds(jetStream.ackWaitMs)
        if consumer.config.ackWait != wanted || consumer.config.maxDeliver != (jetStream.maxDeliver ?? -1) {
            context.logger.notice(
                "\(context.name): the consumer \(jetStream.durable) exists with ack_wait \(consumer.config.ackWait) and max_deliver \(consumer.config.maxDeliver); its settings rule")
        }
        return nil
    }

    private func makePuller(_ context: SourceContext) async throws -> JetStreamPuller {
        var failures = 0
        while true {
            do {
                return try await connection.jetStream.puller(stream: jetStream.stream, consumer: jetStream.durable)
            } catch .notConnected {
                guard await connection.waitUntilConnected() else { throw CancellationError() }
            } catch {
                failures += 1
                guard let delay = connection.reconnect.delay(beforeRetry: failures) else { throw error }
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Errors that a later attempt may not meet: timeouts, lost connections, no JetStream
    /// answering yet.
    static func isTransient(_ error: NATSError) -> Bool {
        switch error {
        case .notConnected, .connectionLost, .timeout, .noResponders: true
        case .jetStream(let code, _, _): code >= 500 || code == 503
        default: false
        }
    }
}
