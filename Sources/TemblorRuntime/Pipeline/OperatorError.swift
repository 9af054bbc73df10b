/// Why an operator could not be built or could not handle an event.
public enum OperatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A configuration key is missing, unknown, or has a bad value.
    case badConfig(operator: String, key: String, message: String)
    /// An operator name that no registry knows.
    case unknown(name: String, known: [String])
    /// Handling one event failed; the event goes to the `err` port with this message.
    case failed(operator: String, message: String)

    public var description: String {
        switch self {
        case .badConfig(let op, let key, let message):
            "\(op): config '\(key)': \(message)"
        case .unknown(let name, let known):
            "unknown operator '\(name)'; known: \(known.joined(separator: ", "))"
        case .failed(let op, let message):
            "\(op): \(message)"
        }
    }
}
