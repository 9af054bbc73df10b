/// A stream's configuration as the JetStream API takes it; only the fields set away from
/// their defaults are sent, so the server's own defaults apply to the rest.
public struct JetStreamStreamConfig: Sendable, Equatable, Codable {
    /// Where the stream keeps its messages.
    public enum Storage: String, Sendable, Codable {
        /// On disk: survives restarts.
        case file
        /// In memory: faster, lost with the server.
        case memory
    }

    /// When messages leave the stream.
    public enum Retention: String, Sendable, Codable {
        /// At the limits (count, bytes, age) only.
        case limits
        /// Once every consumer that was there acknowledged it.
        case interest
        /// Once one consumer acknowledged it: a queue of work.
        case workQueue = "workqueue"
    }

    /// Which messages go when a limit is reached.
    public enum Discard: String, Sendable, Codable {
        /// The oldest make room.
        case old
        /// New ones are refused.
        case new
    }

    /// The stream's name (no dots, spaces or wildcards).
    public var name: String
    /// The subjects whose messages the stream stores.
    public var subjects: [String]
    /// Free text for people.
    public var description: String?
    /// When messages are removed.
    public var retention: Retention = .limits
    /// File or memory.
    public var storage: Storage = .file
    /// How many servers hold a copy (`num_replicas`); 1 on a single server, 3 or 5 in a cluster.
    public var replicas: Int = 1
    /// At most this many consumers; -1 for no limit.
    public var maxConsumers: Int = -1
    /// At most this many messages; -1 for no limit.
    public var maxMessages: Int64 = -1
    /// At most this many bytes; -1 for no limit.
    public var maxBytes: Int64 = -1
    /// Messages older than this go; zero keeps them forever.
    public var maxAge: Duration = .zero
    /// The largest message accepted; -1 for the server's limit.
    public var maxMessageSize: Int32 = -1
    /// At most this many messages per subject; -1 for no limit.
    public var maxMessagesPerSubject: Int64 = -1
    /// What happens at a limit.
    public var discard: Discard = .old
    /// How long `Nats-Msg-Id`s are remembered to drop duplicates; nil for the server's 2 minutes.
    public var duplicateWindow: Duration?

    /// A stream of `subjects`, everything else at the server's defaults.
    public init(name: String, subjects: [String]) {
        self.name = name
        self.subjects = subjects
    }

    enum CodingKeys: String, CodingKey {
        case name, subjects, description, retention, storage, replicas = "num_replicas", maxConsumers = "max_consumers"
        case maxMessages = "max_msgs", maxBytes = "max_bytes", maxAge = "max_age", maxMessageSize = "max_msg_size"
        case maxMessagesPerSubject = "max_msgs_per_subject", discard, duplicateWindow = "duplicate_window"
    }

    /// Decodes the server's JSON; fields it leaves out get their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        subjects = try c.decodeIfPresent([String].self, forKey: .subjects) ?? []
        description = try c.decodeIfPresent(String.self, forKey: .description)
        retention = try c.decodeIfPresent(Retention.self, forKey: .retention) ?? .limits
        storage = try c.decodeIfPresent(Storage.self, forKey: .storage) ?? .file
        replicas = try c.decodeIfPresent(Int.self, forKey: .replicas) ?? 1
        maxConsumers = try c.decodeIfPresent(Int.self, forKey: .maxConsumers) ?? -1
        maxMessages = try c.decodeIfPresent(Int64.self, forKey: .maxMessages) ?? -1
        maxBytes = try c.decodeIfPresent(Int64.self, forKey: .maxBytes) ?? -1
        maxAge = .nanoseconds(try c.decodeIfPresent(Int64.self, forKey: .maxAge) ?? 0)
        maxMessageSize = try c.decodeIfPresent(Int32.self, forKey: .maxMessageSize) ?? -1
        maxMessagesPerSubject = try c.decodeIfPresent(Int64.self, forKey: .maxMessagesPerSubject) ?? -1
        discard = try c.decodeIfPresent(Discard.self, forKey: .discard) ?? .old
        duplicateWindow = try c.decodeIfPresent(Int64.self, forKey: .duplicateWindow).map { .nanoseconds($0) }
    }

    /// Encodes the JSON the API takes, durations in nanoseconds.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(subjects, forKey: .subjects)
        try c.encodeIfPresent(description, forKey: .description)
        try c.encode(retention, forKey: .retention)
        try c.encode(storage, forKey: .storage)
        try c.encode(replicas, forKey: .replicas)
        try c.encode(maxConsumers, forKey: .maxConsumers)
        try c.encode(maxMessages, forKey: .maxMessages)
        try c.encode(maxBytes, forKey: .maxBytes)
        try c.encode(maxAge.nanosecondsForAPI, forKey: .maxAge)
        try c.encode(maxMessageSize, forKey: .maxMessageSize)
        try c.encode(maxMessagesPerSubject, forKey: .maxMessagesPerSubject)
        try c.encode(discard, forKey: .discard)
        try c.encodeIfPresent(duplicateWindow?.nanosecondsForAPI, forKey: .duplicateWindow)
    }
}
