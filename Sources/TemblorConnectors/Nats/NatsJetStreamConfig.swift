import TemblorRuntime
import TemblorValue

/// The `jetstream:` mapping of a `nats` connector: the stream read and written, the durable pull
/// consumer every worker naming it shares, and how it is pulled and acknowledged.
struct NatsJetStreamConfig: Sendable, Equatable {
    static let keys: Set<String> = ["stream", "durable", "batch", "expires_ms", "ack_wait_ms", "max_deliver"]

    /// The stream the source consumes from (the sink's PubAcks come from whichever stream
    /// captures its subject).
    var stream: String
    /// The durable consumer's name; by default the connector's instance name, so that every
    /// worker running the same flow shares one consumer.
    var durable: String
    /// How many messages one pull asks for.
    var batch: Int
    /// How long one pull waits on the server for messages.
    var expiresMs: Int
    /// How long the server waits for an ack before delivering a message again (set when the
    /// connector creates the consumer).
    var ackWaitMs: Int
    /// After how many failed deliveries a message goes to `err` and is terminated; nil retries
    /// forever.
    var maxDeliver: Int?

    /// Reads `jetstream:`; `name` is the connector's, the durable's default. Errors name the key
    /// as `jetstream.<key>`.
    init(_ raw: Value, name: String) throws(ConnectorConfigError) {
        guard raw.objectValue != nil else {
            throw ConnectorConfigError(
                key: "jetstream", "expected a mapping such as { stream: ORDERS, durable: workers }, got \(raw.typeName)")
        }
        do {
            let reader = try ConfigReader(raw, allowed: Self.keys)
            stream = try reader.requiredString("stream")
            try Self.checkName(stream, key: "stream")
            durable = try reader.string("durable") ?? name
            try Self.checkName(durable, key: "durable", defaulted: reader.config["durable"] == nil)
            batch = try reader.int("batch", in: 1...10_000) ?? 256
            expiresMs = try reader.int("expires_ms", in: 100...3_600_000) ?? 5000
            ackWaitMs = try reader.int("ack_wait_ms", in: 100...86_400_000) ?? 30_000
            maxDeliver = try reader.int("max_deliver", in: 1...1_000_000)
        } catch {
            throw ConnectorConfigError(key: error.key.isEmpty ? "jetstream" : "jetstream.\(error.key)", error.message)
        }
    }

    /// Stream and consumer names are subject tokens: no dots, spaces or wildcards.
    private static func checkName(_ name: String, key: String, defaulted: Bool = false) throws(ConnectorConfigError) {
        let bad = name.isEmpty || name.utf8.contains { $0 <= 32 || $0 == 127 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: ">") }
        guard bad else { return }
        if defaulted {
            throw ConnectorConfigError(
                key: key, "the connector's name '\(name)' cannot name a consumer (no dots, spaces or wildcards); set 'durable' explicitly")
        }
        throw ConnectorConfigError(key: key, "'\(name)' cannot name a JetStream \(key == "stream" ? "stream" : "consumer"): no dots, spaces, '*' or '>'")
    }
}
