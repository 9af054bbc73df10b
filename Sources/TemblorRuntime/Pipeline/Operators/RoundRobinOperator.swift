import TemblorValue

/// Spreads events over several output ports in turn, to share load between downstream
/// connectors or pipelines.
///
/// Config: `outputs`, the port names in order (at least two), such as `[out, out2]`.
public struct RoundRobinOperator: Operator, Sendable {
    /// The ports events leave on, in turn.
    public let outputs: [Port]
    /// The outputs besides `out` and `err`, so that links from them validate.
    public let extraPorts: [Port]
    private var next = 0

    /// Builds the operator from a flow's configuration.
    public init(config: Value) throws(OperatorError) {
        let config = try OperatorConfig(operator: "round-robin", config, keys: ["outputs"])
        let example = "as in outputs: [out, out2]"
        guard let raw = config.value("outputs") else {
            throw config.error("outputs", "missing; list the output ports to take turns, \(example)")
        }
        guard let names = raw.arrayValue else {
            throw config.error("outputs", "expected an array of port names, got \(raw)")
        }
        var ports: [Port] = []
        for (index, name) in names.enumerated() {
            guard let text = name.stringValue, !text.isEmpty else {
                throw config.error("outputs", "expected port names, got \(name) at index \(index)")
            }
            let port = Port(text)
            guard port != .in else {
                throw config.error("outputs", "'in' is an input port; name output ports, \(example)")
            }
            guard !ports.contains(port) else {
                throw config.error("outputs", "lists port '\(text)' twice; list each port once")
            }
            ports.append(port)
        }
        guard ports.count >= 2 else {
            throw config.error("outputs", "lists \(ports.count) port(s); list at least two, \(example)")
        }
        outputs = ports
        extraPorts = ports.filter { $0 != .out && $0 != .err }
    }

    /// Emits the event on the next port in turn.
    public mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        output.emit(event, on: outputs[next])
        next += 1
        if next == outputs.count { next = 0 }
    }
}
