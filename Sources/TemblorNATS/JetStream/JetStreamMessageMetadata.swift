/// Where a message delivered by a consumer stands, read from its ack subject: the stream and
/// consumer, how often it was delivered, its sequences and how many more are pending.
public struct JetStreamMessageMetadata: Sendable, Equatable {
    /// The stream it is stored in.
    public var stream: String
    /// The consumer that delivered it.
    public var consumer: String
    /// How many times it was delivered, this time included (1 the first time).
    public var delivered: Int
    /// Its sequence in the stream.
    public var streamSequence: UInt64
    /// Its sequence in the consumer's deliveries.
    public var consumerSequence: UInt64
    /// When it was stored, in nanoseconds since 1970.
    public var timestamp: UInt64
    /// Messages still waiting for the consumer after this one.
    public var pending: UInt64
    /// The JetStream domain, in the newer subject form when one is set.
    public var domain: String?

    /// Metadata by its parts.
    public init(
        stream: String, consumer: String, delivered: Int, streamSequence: UInt64, consumerSequence: UInt64, timestamp: UInt64,
        pending: UInt64, domain: String? = nil
    ) {
        self.stream = stream
        self.consumer = consumer
        self.delivered = delivered
        self.streamSequence = streamSequence
        self.consumerSequence = consumerSequence
        self.timestamp = timestamp
        self.pending = pending
        self.domain = domain
    }

    /// Reads `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` and the newer
    /// `$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>.<token>`
    /// (a domain of `_` meaning none); nil for anything else.
    public init?(replySubject: String) {
        let tokens = replySubject.split(separator: ".", omittingEmptySubsequences: false)
        guard tokens.count >= 9, tokens[0] == "$JS", tokens[1] == "ACK" else { return nil }
        let base: Int
        if tokens.count == 9 {
            base = 2
            domain = nil
        } else if tokens.count >= 11 {
            base = 4
            domain = tokens[2] == "_" || tokens[2].isEmpty ? nil : String(tokens[2])
        } else {
            return nil
        }
        guard !tokens[base].isEmpty, !tokens[base + 1].isEmpty,
            let delivered = UInt32(tokens[base + 2]), let streamSequence = UInt64(tokens[base + 3]),
            let consumerSequence = UInt64(tokens[base + 4]), let timestamp = UInt64(tokens[base + 5]),
            let pending = UInt64(tokens[base + 6])
        else { return nil }
        stream = String(tokens[base])
        consumer = String(tokens[base + 1])
        self.delivered = Int(delivered)
        self.streamSequence = streamSequence
        self.consumerSequence = consumerSequence
        self.timestamp = timestamp
        self.pending = pending
    }
}
