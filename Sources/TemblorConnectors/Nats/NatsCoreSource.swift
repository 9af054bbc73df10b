import TemblorNATS
import TemblorRuntime
import TemblorValue

/// The source side on core NATS: subscribes to `subject` (in `queue_group` if set, sharing its
/// messages with the group's other members) and makes an event of each message. At most once:
/// what arrives while nothing is subscribed, or while a batch waits on backpressure beyond the
/// subscription's buffer, is not seen again.
struct NatsCoreSource: Source {
    let connection: NatsConnection

    func run(_ context: SourceContext) async throws {
        let config = connection.config
        guard let subject = config.subject else { throw NatsSourceError.noSubject }
        let client = connection.client
        let subscription: NATSSubscription
        do {
            subscription = try await client.subscribe(to: subject, queue: config.queueGroup)
            try await client.flush()
        } catch {
            throw NatsSourceError.subscribe(subject: subject, error)
        }
        var stream = try context.openStream()
        let group = config.queueGroup.map { " in queue group \($0)" } ?? ""
        context.logger.info("\(context.name): subscribed to \(subject)\(group)")
        while let messages = await subscription.next(upTo: context.batchSize) {
            for message in messages {
                var outcomes = stream.decodeNatsPayload(message.payload)
                await stream.enqueueNatsMessage(&outcomes, meta: NatsMeta.core(message))
            }
            await stream.flush()
        }
        await subscription.unsubscribe()
        if subscription.dropped > 0 {
            context.logger.warning("\(context.name): \(subscription.dropped) message(s) on \(subject) were dropped while the flow could not keep up")
        }
    }
}
