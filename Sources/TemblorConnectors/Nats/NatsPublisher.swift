import Foundation
import NIOCore
import Synchronization
import TemblorNATS

/// Publishes a JetStream sink's messages in order, without waiting for each stream receipt in
/// turn: every message of a batch goes out with a reply subject of its own under one inbox,
/// then the PubAcks are gathered from that inbox. One publisher per sink run.
final class NatsPublisher: Sendable {
    /// What became of one message.
    enum Outcome: Sendable {
        /// The stream stored it (or had it already, within its duplicate window).
        case stored
        /// Worth another try with the same `Nats-Msg-Id`: no answer in time, no connection, or
        /// no stream answering yet.
        case retry(NatsSinkError, needsConnection: Bool)
        /// The stream refused it; another try would be refused too.
        case refused(NatsSinkError)
    }

    /// A PubAck, or the error JetStream answered instead.
    private struct Answer: Decodable {
        struct Refusal: Decodable {
            var code: Int?
            var errCode: Int?
            var description: String?

            enum CodingKeys: String, CodingKey { case code, errCode = "err_code", description }
        }

        var stream: String?
        var seq: UInt64?
        var error: Refusal?
    }

    private let client: NATSClient
    private let prefix: String
    private let subscription: NATSSubscription
    private let timeout: Duration
    private let tokens = Atomic<UInt64>(0)

    private init(client: NATSClient, prefix: String, subscription: NATSSubscription, timeout: Duration) {
        self.client = client
        self.prefix = prefix
        self.subscription = subscription
        self.timeout = timeout
    }

    /// Subscribes the inbox the PubAcks come to (again on every new connection).
    static func open(on client: NATSClient, timeout: Duration = .seconds(5)) async throws(NATSError) -> NatsPublisher {
        let prefix = client.newInbox() + "."
        let subscription = try await client.subscribe(to: prefix + "*")
        return NatsPublisher(client: client, prefix: prefix, subscription: subscription, timeout: timeout)
    }

    func close() async {
        await subscription.unsubscribe()
    }

    /// Publishes `messages` in order and waits (up to the timeout) for their receipts.
    func publish(_ messages: [NatsSink.Outgoing]) async -> [NatsPublisher.Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: messages.count)
        var waiting: [String: Int] = [:]
        for (index, message) in messages.enumerated() {
            let token = String(tokens.wrappingAdd(1, ordering: .relaxed).newValue)
            var headers = message.headers ?? NATSHeaders()
            if let id = message.messageID { headers["Nats-Msg-Id"] = id }
            do {
                try await client.publish(message.payload, to: message.subject, reply: prefix + token, headers: headers)
                waiting[token] = index
            } catch .notConnected, .connectionLost {
                outcomes[index] = .retry(.publish(subject: message.subject, .notConnected), needsConnection: true)
            } catch {
                outcomes[index] = .refused(.publish(subject: message.subject, error))
            }
        }
        for (token, answer) in await answers(for: Set(waiting.keys)) {
            guard let index = waiting.removeValue(forKey: token) else { continue }
            outcomes[index] = Self.outcome(of: answer, subject: messages[index].subject)
        }
        for index in waiting.values {
            let subject = messages[index].subject
            outcomes[index] = .retry(.publish(subject: subject, .timeout("no receipt from the stream within \(timeout)")), needsConnection: false)
        }
        return outcomes.map { $0! }
    }

    /// The replies to `tokens` that arrive within the timeout; late ones of earlier batches
    /// are passed over.
    private func answers(for tokens: Set<String>) async -> [String: NATSMessage] {
        guard !tokens.isEmpty else { return [:] }
        let subscription = self.subscription
        let prefix = self.prefix
        let timeout = self.timeout
        return await withTaskGroup(of: [String: NATSMessage]?.self) { group in
            group.addTask {
                var found: [String: NATSMessage] = [:]
                while found.count < tokens.count, let batch = await subscription.next(upTo: tokens.count) {
                    for message in batch where message.subject.hasPrefix(prefix) {
                        let token = String(message.subject.dropFirst(prefix.count))
                        if tokens.contains(token) { found[token] = message }
                    }
                }
                return found
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            var found: [String: NATSMessage] = [:]
            while let result = await group.next() {
                if let result {
                    found = result
                    break
                }
                // The timer: the reader returns with what it has once cancelled.
                group.cancelAll()
            }
            group.cancelAll()
            return found
        }
    }

    private static func outcome(of reply: NATSMessage, subject: String) -> Outcome {
        if reply.status == 503 { return .retry(.noStream(subject: subject), needsConnection: false) }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(reply.payload.readableBytesView)) else {
            return .refused(.publish(subject: subject, .protocolViolation("the stream's receipt is not JSON: '\(String(buffer: reply.payload).prefix(120))'")))
        }
        if let refusal = answer.error {
            let error = NATSError.jetStream(code: refusal.code ?? 0, errorCode: refusal.errCode ?? 0, description: refusal.description ?? "refused")
            // A stream without a leader for now (a cluster electing one) answers 503.
            if refusal.code == 503 { return .retry(.publish(subject: subject, error), needsConnection: false) }
            return .refused(.publish(subject: subject, error))
        }
        guard answer.stream != nil, answer.seq != nil else {
            return .refused(.publish(subject: subject, .protocolViolation("the stream's receipt names no stream and sequence")))
        }
        return .stored
    }
}
