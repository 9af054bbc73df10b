/// Everything the client can fail with, each case worded so that whoever reads it knows what to
/// check or change next.
public enum NATSError: Error, CustomStringConvertible, Sendable {
    /// Every server was tried once and none let the client in: each server with why not.
    case noServerAvailable([(NATSServerAddress, String)])
    /// The client is between connections (or never connected); callers retry later.
    case notConnected
    /// The client was closed; nothing can be done on it any more.
    case closed
    /// An established connection ended (the server closed it, the network failed, PINGs went
    /// unanswered); the text says which. The client reconnects by itself.
    case connectionLost(String)
    /// A wait ran out: the text says what was waited for and how long.
    case timeout(String)
    /// Nothing subscribes to the subject a request went to (the server answered 503).
    case noResponders(String)
    /// The server sent `-ERR` with this text.
    case serverError(String)
    /// The bytes on the wire are not the NATS protocol, or a value cannot be put on it.
    case protocolViolation(String)
    /// A subject, reply subject or queue group that NATS would not accept.
    case invalidSubject(String)
    /// A message larger than the server's `max_payload`.
    case payloadTooLarge(size: Int, limit: Int)
    /// A server URL that cannot be parsed; the text says which and why.
    case badURL(String)
    /// A credentials file, seed or signature that cannot be used.
    case credentials(String)
    /// The TLS upgrade failed or cannot be made.
    case tls(String)
    /// The JetStream API refused a call: its HTTP-like `code`, its `err_code` and its description.
    case jetStream(code: Int, errorCode: Int, description: String)

    /// The message for a user, saying what to check or change.
    public var description: String {
        switch self {
        case .noServerAvailable(let failures):
            if failures.isEmpty { return "no nats server to connect to: the server list is empty" }
            let each = failures.map { "nats server \($0.0) \($0.1)" }.joined(separator: "; ")
            return "no nats server could be connected to: \(each)"
        case .notConnected:
            return "not connected to a nats server (the client is reconnecting); retry later"
        case .closed:
            return "the nats client is closed"
        case .connectionLost(let what):
            return "nats connection lost: \(what)"
        case .timeout(let what):
            return "nats timed out: \(what)"
        case .noResponders(let subject):
            if subject.hasPrefix("$JS.") {
                return "no responders on '\(subject)': is JetStream enabled on the server, and do the stream and consumer exist?"
            }
            return "no responders on '\(subject)': nothing subscribes to it (for a JetStream publish: no stream captures the subject)"
        case .serverError(let text):
            return "nats server error: '\(text)'" + Self.hint(forServerError: text)
        case .protocolViolation(let what):
            return "nats protocol violation: \(what)"
        case .invalidSubject(let subject):
            return "invalid nats subject '\(subject)': subjects are dot-separated, non-empty tokens without spaces,"
                + " and only subscriptions may use the wildcards '*' and '>'"
        case .payloadTooLarge(let size, let limit):
            return "nats message of \(size) bytes is larger than the server's max_payload of \(limit) bytes;"
                + " split it or raise max_payload on the server"
        case .badURL(let what):
            return "bad nats server url: \(what)"
        case .credentials(let what):
            return "nats credentials: \(what)"
        case .tls(let what):
            return "nats tls: \(what)"
        case .jetStream(let code, let errorCode, let description):
            return "jetstream error \(errorCode) (status \(code)): \(description)"
        }
    }

    /// What to do about the `-ERR` texts people meet most.
    static func hint(forServerError text: String) -> String {
        let lowered = text.lowercased()
        if lowered.contains("authorization") || lowered.contains("authentication") || lowered.contains("user authentication") {
            return "; check the token, user/password or credentials"
        }
        if lowered.hasPrefix("permissions violation") {
            return "; the user lacks permission for that subject"
        }
        if lowered.contains("maximum payload") {
            return "; the message is larger than the server's max_payload"
        }
        return ""
    }

    /// Whether the text of a `-ERR` leaves the connection open (only permission refusals do).
    static func isFatal(serverError text: String) -> Bool {
        !text.lowercased().hasPrefix("permissions violation")
    }
}
