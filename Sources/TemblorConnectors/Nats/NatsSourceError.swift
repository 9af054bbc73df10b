import TemblorNATS

/// Why a `nats` source cannot run, saying what to change.
enum NatsSourceError: Error, CustomStringConvertible, Sendable {
    /// A core NATS source has no subject to subscribe to.
    case noSubject
    /// The subscription was refused (a subject or queue group the server would not accept).
    case subscribe(subject: String, NATSError)
    /// The stream the consumer belongs to does not exist.
    case noStream(String)
    /// The durable consumer could not be looked up or created.
    case consumer(stream: String, durable: String, NATSError)
    /// The consumer exists but is not a pull consumer with explicit acks.
    case unsuitableConsumer(stream: String, durable: String, why: String)

    var description: String {
        switch self {
        case .noSubject:
            "a core NATS source needs 'subject' to subscribe to (or 'jetstream' to consume from a stream)"
        case .subscribe(let subject, let error):
            "cannot subscribe to '\(subject)': \(error)"
        case .noStream(let stream):
            "the JetStream stream '\(stream)' does not exist; create it (nats stream add \(stream) --subjects ...) before the flow starts"
        case .consumer(let stream, let durable, let error):
            "cannot set up the durable consumer '\(durable)' on stream '\(stream)': \(error)"
        case .unsuitableConsumer(let stream, let durable, let why):
            "the consumer '\(durable)' on stream '\(stream)' \(why); delete it or name another 'durable'"
        }
    }
}
