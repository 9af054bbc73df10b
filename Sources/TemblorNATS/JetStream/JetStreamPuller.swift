import Logging
import NIOCore
import Synchronization

/// Fetches batches from one pull consumer over a single inbox subscription
/// (`<inboxPrefix>.<random>.*`) that every fetch reuses: each fetch asks on its own reply
/// subject under it, so that a late "request timeout" of an earlier fetch is told apart,
/// while messages an earlier fetch gave up on are handed to the next one instead of waiting
/// out the consumer's `ackWait`. Fetches on one puller take turns; keep one puller per
/// concurrent reader.
public final class JetStreamPuller: Sendable {
    /// The stream read.
    public let stream: String
    /// The pull consumer read.
    public let consumer: String

    private let context: JetStreamContext
    private var client: NATSClient { context.client }
    private let subscription: NATSSubscription
    private let inbox: String
    private let nextSubject: String
    private let gate = AsyncSerialGate()
    private let fetches = Atomic<UInt64>(0)

    init(context: JetStreamContext, stream: String, consumer: String) async throws(NATSError) {
        self.stream = stream
        self.consumer = consumer
        self.context = context
        inbox = context.client.newInbox()
        nextSubject = "\(context.prefix).CONSUMER.MSG.NEXT.\(stream).\(consumer)"
        subscription = try await context.client.subscribe(to: inbox + ".*")
    }

    /// Asks the consumer for up to `batch` messages and returns when that many arrived, when the
    /// server says there are no more for now (404, 408, 409), or when `expires` (plus a margin
    /// for the server's answer) passed. Fewer messages, or none, is normal. With `noWait` the
    /// server answers at once with what it has. Throws `.notConnected` when the connection is
    /// lost before any message arrived, `.jetStream` (err_code 10014) when the consumer does not
    /// exist, and `.jetStream` (code 409) when the consumer refuses the request itself (a batch
    /// or expiry over its limits, too many waiting pulls) before any message arrived, so that
    /// callers back off rather than ask again at once.
    public func fetch(batch: Int, expires: Duration, noWait: Bool = false) async throws(NATSError) -> [JetStreamMessage] {
        guard batch > 0 else { return [] }
        await gate.enter()
        defer { gate.leave() }
        var collected: [JetStreamMessage] = []
        // Messages delivered for an earlier fetch after it returned: theirs is the next turn.
        while collected.count < batch, let message = subscription.poll() {
            if let delivered = JetStreamMessage(message) { collected.append(delivered) }
        }
        if !collected.isEmpty { return collected }

        let reply = "\(inbox).\(fetches.wrappingAdd(1, ordering: .relaxed).newValue)"
        var request = JSONObjectWriter()
        request.field("batch", batch)
        if noWait {
            request.field("no_wait", true)
        } else {
            request.field("expires", expires.nanosecondsForAPI)
        }
        try await client.publish(ByteBuffer(string: request.finished), to: nextSubject, reply: reply)

        let loop = client.eventLoopGroup.any()
        let deadline = NIODeadline.now() + TimeAmount(expires + Self.margin(for: expires))
        while collected.count < batch {
            switch await subscription.next(deadline: deadline, on: loop, interruptible: true) {
            case .message(let message):
                if let delivered = JetStreamMessage(message) {
                    collected.append(delivered)
                    continue
                }
                guard let status = message.status, message.subject == reply else { continue }  // an earlier fetch's
                switch status {
                case 100:
                    continue  // heartbeat
                case 404, 408:
                    return collected
                case 503:
                    throw .noResponders(nextSubject)
                case 409 where collected.isEmpty && !Self.isTransient(message.statusDescription):
                    // A request the consumer refuses (batch, expiry or waiting pulls beyond its
                    // limits; deleted): the same request again would be refused again at once.
                    throw .jetStream(
                        code: 409, errorCode: 0,
                        description: "consumer '\(consumer)' of stream '\(stream)' refused the pull: \(message.statusDescription ?? "conflict")")
                default:
                    client.logger.warning(
                        "jetstream pull ended by the server",
                        metadata: [
                            "nats.stream": "\(stream)", "nats.consumer": "\(consumer)", "nats.status": "\(status)",
                            "nats.description": "\(message.statusDescription ?? "")",
                        ])
                    return collected
                }
            case .timedOut:
                // A server always ends a pull it got with a status before this; one that did
                // not may have no such consumer.
                if collected.isEmpty, try await context.consumerInfo(stream: stream, name: consumer) == nil {
                    throw .jetStream(
                        code: 404, errorCode: JetStreamAPIError.consumerNotFound,
                        description: "stream '\(stream)' has no consumer '\(consumer)' to pull from")
                }
                return collected
            case .cancelled:
                return collected
            case .interrupted:
                if collected.isEmpty { throw .notConnected }
                return collected
            case .finished:
                if collected.isEmpty { throw .closed }
                return collected
            }
        }
        return collected
    }

    /// Unsubscribes the inbox; messages delivered and not acked are delivered again after
    /// the consumer's `ackWait`.
    public func close() async {
        await subscription.unsubscribe()
    }

    /// Whether a 409 just ends this fetch: a leader moving, or a message too large for it.
    static func isTransient(_ description: String?) -> Bool {
        let lowered = description?.lowercased() ?? ""
        return lowered.contains("leadership change") || lowered.contains("exceeds maxbytes")
    }

    /// How long past `expires` to wait for the server's own end-of-request status.
    static func margin(for expires: Duration) -> Duration {
        .milliseconds(500) + expires / 10
    }
}
