import NIOCore

/// A message a consumer delivered, with where it stands; it stays pending until acked, and is
/// delivered again after the consumer's `ackWait` if not.
public struct JetStreamMessage: Sendable {
    /// The message as delivered; `reply` is its ack subject.
    public var message: NATSMessage
    /// Its stream, consumer, delivery count and sequences.
    public var metadata: JetStreamMessageMetadata

    /// A delivered message with its metadata; nil when its reply subject is not an ack subject.
    public init?(_ message: NATSMessage) {
        guard let reply = message.reply, let metadata = JetStreamMessageMetadata(replySubject: reply) else { return nil }
        self.message = message
        self.metadata = metadata
    }

    /// Done with it: it is not delivered again.
    public func ack(on client: NATSClient) async throws(NATSError) {
        try await send(Self.ackBody, on: client)
    }

    /// Like `ack`, but waits for the server to confirm it took the ack.
    public func ackSync(on client: NATSClient, timeout: Duration = .seconds(5)) async throws(NATSError) {
        guard let reply = message.reply else { throw Self.noReply }
        _ = try await client.request(ByteBuffer(string: Self.ackBody), to: reply, timeout: timeout)
    }

    /// Not now: deliver it again, after `delay` if given (else at once).
    public func nak(on client: NATSClient, delay: Duration? = nil) async throws(NATSError) {
        if let delay {
            try await send("-NAK {\"delay\": \(delay.nanosecondsForAPI)}", on: client)
        } else {
            try await send("-NAK", on: client)
        }
    }

    /// Never deliver it again, acked or not.
    public func term(on client: NATSClient) async throws(NATSError) {
        try await send("+TERM", on: client)
    }

    /// Still working on it: restarts its `ackWait`.
    public func inProgress(on client: NATSClient) async throws(NATSError) {
        try await send("+WPI", on: client)
    }

    private static let ackBody = "+ACK"
    private static let noReply = NATSError.protocolViolation("the message has no reply subject to acknowledge on; it did not come from a JetStream consumer")

    private func send(_ body: String, on client: NATSClient) async throws(NATSError) {
        try await send(ByteBuffer(string: body), on: client)
    }

    private func send(_ body: ByteBuffer, on client: NATSClient) async throws(NATSError) {
        guard let reply = message.reply else { throw Self.noReply }
        try await client.publish(body, to: reply)
    }
}
