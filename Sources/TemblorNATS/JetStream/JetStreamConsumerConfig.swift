/// A consumer's configuration as the JetStream API takes it, set up by default for a durable
/// pull consumer that acks each message explicitly.
public struct JetStreamConsumerConfig: Sendable, Equatable, Codable {
    /// What an ack acknowledges.
    public enum AckPolicy: String, Sendable, Codable {
        /// Each message is acknowledged on its own.
        case explicit
        /// An ack covers every message delivered before it.
        case all
        /// Nothing is acknowledged: delivered counts as done.
        case none
    }

    /// Where in the stream a new consumer starts.
    public enum DeliverPolicy: String, Sendable, Codable {
        /// At the first message stored.
        case all
        /// At the last message stored.
        case last
        /// With the messages stored after the consumer was made.
        case new
        /// At `startSequence`.
        case byStartSequence = "by_start_sequence"
        /// At a start time (set with the raw API; not configurable here).
        case byStartTime = "by_start_time"
        /// At the last message of each subject.
        case lastPerSubject = "last_per_subject"
    }

    /// How fast stored messages are delivered.
    public enum ReplayPolicy: String, Sendable, Codable {
        /// As fast as the consumer takes them.
        case instant
        /// At the pace they were stored.
        case original
    }

    /// The durable name: the consumer and its progress outlive the clients using it.
    public var durableName: String?
    /// Free text for people.
    public var description: String?
    /// What an ack acknowledges (explicit: each message on its own).
    public var ackPolicy: AckPolicy = .explicit
    /// How long a delivered message may go unacked before it is delivered again.
    public var ackWait: Duration = .seconds(30)
    /// How many times a message is delivered at most; -1 for no limit.
    public var maxDeliver: Int = -1
    /// Only messages of this subject (wildcards allowed); nil for the whole stream.
    public var filterSubject: String?
    /// Where the consumer starts.
    public var deliverPolicy: DeliverPolicy = .all
    /// The first sequence, with `.byStartSequence`.
    public var startSequence: UInt64?
    /// How fast stored messages are delivered.
    public var replayPolicy: ReplayPolicy = .instant
    /// At most this many delivered and unacked messages; nil for the server's default (1000).
    public var maxAckPending: Int?
    /// At most this many pull requests waiting at once; nil for the server's default (512).
    public var maxWaiting: Int?
    /// The largest `batch` one pull may ask for; nil for no limit.
    public var maxBatch: Int?
    /// The longest `expires` one pull may ask for; nil for no limit.
    public var maxExpires: Duration?
    /// Redelivery delays, one per delivery attempt, instead of `ackWait` alone.
    public var backoff: [Duration]?
    /// Replicas of the consumer's state; nil to follow the stream.
    public var replicas: Int?
    /// Keep the consumer's state in memory only.
    public var memoryStorage: Bool?

    /// A durable pull consumer named `durableName` with explicit acks.
    public init(durableName: String) {
        self.durableName = durableName
    }

    enum CodingKeys: String, CodingKey {
        case durableName = "durable_name", description, ackPolicy = "ack_policy", ackWait = "ack_wait"
        case maxDeliver = "max_deliver", filterSubject = "filter_subject", deliverPolicy = "deliver_policy"
        case startSequence = "opt_start_seq", replayPolicy = "replay_policy", maxAckPending = "max_ack_pending"
        case maxWaiting = "max_waiting", maxBatch = "max_batch", maxExpires = "max_expires", backoff, replicas = "num_replicas", memoryStorage = "mem_storage"
    }

    /// Decodes the server's JSON; fields it leaves out get their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        durableName = try c.decodeIfPresent(String.self, forKey: .durableName)
        description = try c.decodeIfPresent(String.self, forKey: .description)
        ackPolicy = try c.decodeIfPresent(AckPolicy.self, forKey: .ackPolicy) ?? .none
        ackWait = .nanoseconds(try c.decodeIfPresent(Int64.self, forKey: .ackWait) ?? 30_000_000_000)
        maxDeliver = try c.decodeIfPresent(Int.self, forKey: .maxDeliver) ?? -1
        filterSubject = try c.decodeIfPresent(String.self, forKey: .filterSubject)
        if filterSubject?.isEmpty == true { filterSubject = nil }
        deliverPolicy = try c.decodeIfPresent(DeliverPolicy.self, forKey: .deliverPolicy) ?? .all
        startSequence = try c.decodeIfPresent(UInt64.self, forKey: .startSequence)
        replayPolicy = try c.decodeIfPresent(ReplayPolicy.self, forKey: .replayPolicy) ?? .instant
        maxAckPending = try c.decodeIfPresent(Int.self, forKey: .maxAckPending)
        maxWaiting = try c.decodeIfPresent(Int.self, forKey: .maxWaiting)
        maxBatch = try c.decodeIfPresent(Int.self, forKey: .maxBatch)
        maxExpires = try c.decodeIfPresent(Int64.self, forKey: .maxExpires).map { .nanoseconds($0) }
        backoff = try c.decodeIfPresent([Int64].self, forKey: .backoff)?.map { .nanoseconds($0) }
        replicas = try c.decodeIfPresent(Int.self, forKey: .replicas)
        memoryStorage = try c.decodeIfPresent(Bool.self, forKey: .memoryStorage)
    }

    /// Encodes the JSON the API takes, durations in nanoseconds.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(durableName, forKey: .durableName)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(ackPolicy, forKey: .ackPolicy)
        try c.encode(ackWait.nanosecondsForAPI, forKey: .ackWait)
        try c.encode(maxDeliver, forKey: .maxDeliver)
        try c.encodeIfPresent(filterSubject, forKey: .filterSubject)
        try c.encode(deliverPolicy, forKey: .deliverPolicy)
        try c.encodeIfPresent(startSequence, forKey: .startSequence)
        try c.encode(replayPolicy, forKey: .replayPolicy)
        try c.encodeIfPresent(maxAckPending, forKey: .maxAckPending)
        try c.encodeIfPresent(maxWaiting, forKey: .maxWaiting)
        try c.encodeIfPresent(maxBatch, forKey: .maxBatch)
        try c.encodeIfPresent(maxExpires?.nanosecondsForAPI, forKey: .maxExpires)
        try c.encodeIfPresent(backoff?.map(\.nanosecondsForAPI), forKey: .backoff)
        try c.encodeIfPresent(replicas, forKey: .replicas)
        try c.encodeIfPresent(memoryStorage, forKey: .memoryStorage)
    }
}
