import TemblorNATS

/// Why a `nats` sink could not deliver an event, worded for the log line that fails it.
enum NatsSinkError: Error, CustomStringConvertible, Sendable {
    /// Neither the connector nor the event names a subject.
    case noSubject
    /// The subject has a wildcard or a space, which a publish may not.
    case badSubject(String)
    /// `meta.nats.headers` is not a mapping of names to strings.
    case badHeaders(String)
    /// The payload does not encode with the connector's codec.
    case encoding(String)
    /// No stream captures the subject: a JetStream publish gets no PubAck.
    case noStream(subject: String)
    /// The server refused or lost the publish.
    case publish(subject: String, NATSError)

    var description: String {
        switch self {
        case .noSubject:
            "no subject to publish to: set 'subject' in the connector's config, or meta.nats.subject on the event"
        case .badSubject(let subject):
            "cannot publish to '\(subject)': a publish subject has no wildcards ('*', '>') and no spaces"
        case .badHeaders(let what):
            what
        case .encoding(let what):
            "cannot encode the event: \(what)"
        case .noStream(let subject):
            "no JetStream stream captures '\(subject)': create one whose subjects include it, or drop 'jetstream' to publish on core NATS"
        case .publish(let subject, let error):
            "cannot publish to '\(subject)': \(error)"
        }
    }
}
