import TemblorRuntime

/// Why the registry refused a request, each case with what the API answers.
public enum FlowRegistryError: Error, Sendable, CustomStringConvertible {
    /// The id is not one a flow may have (404-free: 400).
    case badId(String)
    /// A flow with this id is deployed already (409).
    case idTaken(String)
    /// No flow has this id (404).
    case unknown(String)
    /// The flow has ended (stopped or failed): it cannot be paused or resumed (409).
    case notRunning(String, FlowStatus)
    /// The flow file has errors, each with its line and column (400).
    case invalid(FlowErrors)

    public var description: String {
        switch self {
        case .badId(let id): "'\(id)' is not a valid flow id: use 1 to 64 letters, digits, '-' or '_'"
        case .idTaken(let id): "a flow with id '\(id)' is deployed already; stop it first or choose another id"
        case .unknown(let id): "no flow has id '\(id)'"
        case .notRunning(let id, let status): "flow '\(id)' is \(status.rawValue): only a running or paused flow can be paused or resumed"
        case .invalid(let errors): "the flow has errors:\n\(errors)"
        }
    }
}
