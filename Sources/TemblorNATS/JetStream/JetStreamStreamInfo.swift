/// A stream as the server reports it: its configuration (with the server's defaults filled
/// in), what it holds, and where its replicas are.
public struct JetStreamStreamInfo: Sendable, Equatable, Decodable {
    /// What the stream holds.
    public struct State: Sendable, Equatable, Decodable {
        /// Messages stored.
        public var messages: UInt64
        /// Bytes stored.
        public var bytes: UInt64
        /// The oldest sequence stored.
        public var firstSequence: UInt64
        /// The newest sequence stored.
        public var lastSequence: UInt64
        /// How many consumers the stream has.
        public var consumerCount: Int

        enum CodingKeys: String, CodingKey {
            case messages, bytes, firstSequence = "first_seq", lastSequence = "last_seq", consumerCount = "consumer_count"
        }

        /// Decodes the server's JSON; fields it leaves out get their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            messages = try c.decodeIfPresent(UInt64.self, forKey: .messages) ?? 0
            bytes = try c.decodeIfPresent(UInt64.self, forKey: .bytes) ?? 0
            firstSequence = try c.decodeIfPresent(UInt64.self, forKey: .firstSequence) ?? 0
            lastSequence = try c.decodeIfPresent(UInt64.self, forKey: .lastSequence) ?? 0
            consumerCount = try c.decodeIfPresent(Int.self, forKey: .consumerCount) ?? 0
        }
    }

    /// The configuration in force.
    public var config: JetStreamStreamConfig
    /// What the stream holds now.
    public var state: State
    /// The replicas and their leader, in a cluster.
    public var cluster: JetStreamClusterInfo?
    /// When the stream was made (RFC 3339, as the server wrote it).
    public var created: String?
}
