import TemblorRuntime

/// Why the registry refused a request, each case with what the API answers.
public enum FlowRegistryError: Error, Sendable, CustomStringConvertible {
    /// The id is not one a flow may have (400).
    case badId(String)
    /// A flow with this id is deployed already (409).
    case idTaken(String)
    /// No flow has this id (404).
    case unknown(String)
    /// The flow has ended (stopped or failed): it cannot be paused or resumed (409).
    case notRunning(String, FlowStatus)
    /// The flow file has errors, each with its line and column (400).
    case invalid(FlowErrors)
    /// The flow names a file outside the daemon's roots (403): what names it, and the path.
    case outsideRoots(what: String, path: String, roots: [String])
    /// The flow could not run: why.
    case failed(String, String)
    /// The flow could not be kept in the state directory, so it would not survive a restart (500).
    case notPersisted(String)

    public var description: String {
        switch self {
        case .badId(let id): "'\(id)' is not a valid flow id: use 1 to 64 letters, digits, '-' or '_'"
        case .idTaken(let id): "a flow with id '\(id)' is deployed already; stop it first or choose another id"
        case .unknown(let id): "no flow has id '\(id)'"
        case .notRunning(let id, let status): "flow '\(id)' is \(status.rawValue): only a running or paused flow can be paused or resumed"
        case .invalid(let errors): "the flow has errors:\n\(errors)"
        case .outsideRoots(let what, let path, let roots):
            "\(what) names \(path), which is outside the daemon's roots (\(roots.joined(separator: ", "))); "
                + "move it under one, or start the daemon with --roots naming its directory"
        case .failed(_, let message): message
        case .notPersisted(let message): "the flow could not be written to the state directory: \(message)"
        }
    }
}
