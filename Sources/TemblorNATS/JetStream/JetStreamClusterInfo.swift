/// Which servers hold a stream or consumer, and which of them leads.
public struct JetStreamClusterInfo: Sendable, Equatable, Decodable {
    /// A server holding a copy besides the leader.
    public struct Replica: Sendable, Equatable, Decodable {
        /// The server's name.
        public var name: String
        /// Whether it is caught up with the leader.
        public var current: Bool
        /// How many operations it is behind.
        public var lag: UInt64?

        enum CodingKeys: String, CodingKey { case name, current, lag }

        /// Decodes the server's JSON; fields it leaves out get their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
            current = try c.decodeIfPresent(Bool.self, forKey: .current) ?? false
            lag = try c.decodeIfPresent(UInt64.self, forKey: .lag)
        }
    }

    /// The cluster's name.
    public var name: String?
    /// The server leading the stream or consumer (absent while electing).
    public var leader: String?
    /// The other servers holding it.
    public var replicas: [Replica]

    enum CodingKeys: String, CodingKey { case name, leader, replicas }

    /// Decodes the server's JSON; fields it leaves out get their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        leader = try c.decodeIfPresent(String.self, forKey: .leader)
        replicas = try c.decodeIfPresent([Replica].self, forKey: .replicas) ?? []
    }
}
