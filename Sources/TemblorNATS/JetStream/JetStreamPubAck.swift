/// The stream's receipt for a published message: once it arrives, the message is stored.
public struct JetStreamPubAck: Sendable, Equatable, Decodable {
    /// The stream that stored it.
    public var stream: String
    /// Its sequence in the stream (the earlier message's, for a duplicate).
    public var sequence: UInt64
    /// The `Nats-Msg-Id` was seen within the duplicate window: nothing new was stored.
    public var duplicate: Bool
    /// The JetStream domain, if the server has one.
    public var domain: String?

    /// A receipt by its parts.
    public init(stream: String, sequence: UInt64, duplicate: Bool = false, domain: String? = nil) {
        self.stream = stream
        self.sequence = sequence
        self.duplicate = duplicate
        self.domain = domain
    }

    enum CodingKeys: String, CodingKey { case stream, sequence = "seq", duplicate, domain }

    /// Decodes the server's JSON; fields it leaves out get their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stream = try c.decode(String.self, forKey: .stream)
        sequence = try c.decode(UInt64.self, forKey: .sequence)
        duplicate = try c.decodeIfPresent(Bool.self, forKey: .duplicate) ?? false
        domain = try c.decodeIfPresent(String.self, forKey: .domain)
    }
}
