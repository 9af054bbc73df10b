/// The ports a connector or pipeline offers to links, as validation sees them.
struct FlowNodePorts {
    /// "connector 'in'" or "pipeline 'main'", as messages name the node.
    var label: String
    /// Ports links may end at.
    var inputs: [Port]
    /// Ports links may start at.
    var outputs: [Port]
    /// Whether the ports are known; a connector of an unknown type has its own error already,
    /// so links to it are not checked further.
    var isKnown: Bool
    /// Whether `outputs` lists every output port; not so when an operator could not be built
    /// and its extra ports are unknown, so that links to them are not reported twice.
    var outputsAreComplete = true

    /// A connector: `out` and `err` with a source side, `in` with a sink side.
    static func connector(_ name: String, type: ConnectorTypeInfo?) -> FlowNodePorts {
        guard let type else {
            return FlowNodePorts(label: "connector '\(name)'", inputs: [], outputs: [], isKnown: false)
        }
        return FlowNodePorts(
            label: "connector '\(name)'",
            inputs: type.hasSink ? [.in] : [],
            outputs: type.hasSource ? [.out, .err] : [],
            isKnown: true
        )
    }

    /// A pipeline: `in`, then `out`, `err` and whatever extra ports its operators emit on.
    static func pipeline(_ name: String, extraPorts: [Port], allOperatorsBuilt: Bool) -> FlowNodePorts {
        var outputs: [Port] = [.out, .err]
        for port in extraPorts where !outputs.contains(port) {
            outputs.append(port)
        }
        return FlowNodePorts(
            label: "pipeline '\(name)'", inputs: [.in], outputs: outputs, isKnown: true,
            outputsAreComplete: allOperatorsBuilt
        )
    }
}
