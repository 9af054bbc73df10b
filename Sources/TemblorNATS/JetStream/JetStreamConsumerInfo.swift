/// A consumer as the server reports it: its configuration and how far it got.
public struct JetStreamConsumerInfo: Sendable, Equatable, Decodable {
    /// A position in the consumer and in the stream.
    public struct SequencePair: Sendable, Equatable, Decodable {
        /// The consumer's own count of deliveries.
        public var consumerSequence: UInt64
        /// The stream sequence of that message.
        public var streamSequence: UInt64

        enum CodingKeys: String, CodingKey { case consumerSequence = "consumer_seq", streamSequence = "stream_seq" }

        /// Decodes the server's JSON; fields it leaves out get their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            consumerSequence = try c.decodeIfPresent(UInt64.self, forKey: .consumerSequence) ?? 0
            streamSequence = try c.decodeIfPresent(UInt64.self, forKey: .streamSequence) ?? 0
        }
    }

    /// The stream the consumer reads.
    public var stream: String
    /// The consumer's name (its durable name for durables).
    public var name: String
    /// The configuration in force, the server's defaults filled in.
    public var config: JetStreamConsumerConfig
    /// When the consumer was made (RFC 3339, as the server wrote it).
    public var created: String?
    /// The last message delivered.
    public var delivered: SequencePair
    /// Everything up to here is acknowledged.
    public var ackFloor: SequencePair
    /// Delivered and not acked yet.
    public var ackPending: Int
    /// Messages delivered more than once and not acked yet.
    public var redelivered: Int
    /// Pull requests waiting.
    public var waiting: Int
    /// Messages of the stream not delivered yet.
    public var pending: UInt64
    /// The replicas and their leader, in a cluster.
    public var cluster: JetStreamClusterInfo?

    enum CodingKeys: String, CodingKey {
        case stream = "stream_name", name, config, created, delivered, ackFloor = "ack_floor", ackPending = "num_ack_pending"
        case redelivered = "num_redelivered", waiting = "num_waiting", pending = "num_pending", cluster
    }

    /// Decodes the server's JSON; fields it leaves out get their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stream = try c.decode(String.self, forKey: .stream)
        name = try c.decode(String.self, forKey: .name)
        config = try c.decode(JetStreamConsumerConfig.self, forKey: .config)
        created = try c.decodeIfPresent(String.self, forKey: .created)
        delivered = try c.decode(SequencePair.self, forKey: .delivered)
        ackFloor = try c.decode(SequencePair.self, forKey: .ackFloor)
        ackPending = try c.decodeIfPresent(Int.self, forKey: .ackPending) ?? 0
        redelivered = try c.decodeIfPresent(Int.self, forKey: .redelivered) ?? 0
        waiting = try c.decodeIfPresent(Int.self, forKey: .waiting) ?? 0
        pending = try c.decodeIfPresent(UInt64.self, forKey: .pending) ?? 0
        cluster = try c.decodeIfPresent(JetStreamClusterInfo.self, forKey: .cluster)
    }
}
