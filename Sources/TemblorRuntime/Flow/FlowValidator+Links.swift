extension FlowValidator {
    /// Checks that every link joins an existing output port to an existing input port, once.
    func validateLinks(_ flow: FlowDefinition, nodes: [String: FlowNodePorts], into errors: inout [FlowError]) {
        let nodeNames = nodes.keys.sorted()
        var seen: [FlowLinkKey: SourceLocation] = [:]
        for link in flow.links {
            for name in link.from.node == link.to.node ? [link.from.node] : [link.from.node, link.to.node]
            where nodes[name] == nil {
                errors.append(FlowError(
                    NameSuggestion.message(
                        "link names '\(name)', which is neither a connector nor a pipeline", name: name,
                        known: nodeNames, knownLabel: "connectors and pipelines"
                    ),
                    at: link.location
                ))
            }
            if let from = nodes[link.from.node], from.isKnown,
               let problem = Self.problem(with: link.from, of: from, asOutput: true) {
                errors.append(FlowError(problem, at: link.location))
            }
            if let to = nodes[link.to.node], to.isKnown,
               let problem = Self.problem(with: link.to, of: to, asOutput: false) {
                errors.append(FlowError(problem, at: link.location))
            }
            let key = FlowLinkKey(from: link.from, to: link.to)
            if let first = seen[key] {
                errors.append(FlowError(
                    "link '\(link.from) -> \(link.to)' repeats the one at line \(first.line); remove one of them",
                    at: link.location
                ))
            } else {
                seen[key] = link.location
            }
        }
    }

    /// What is wrong with one end of a link, or `nil` when the port exists on the right side.
    static func problem(with endpoint: LinkEndpoint, of node: FlowNodePorts, asOutput: Bool) -> String? {
        let wanted = asOutput ? node.outputs : node.inputs
        let other = asOutput ? node.inputs : node.outputs
        if wanted.contains(endpoint.port) { return nil }
        if wanted.isEmpty {
            return asOutput
                ? "\(node.label) has no source side, so no link can start at it; link into it instead"
                : "\(node.label) has no sink side, so no link can end at it; link from it instead"
        }
        if asOutput && !node.outputsAreComplete && !other.contains(endpoint.port) { return nil }
        let names = wanted.map(\.name)
        let list = names.joined(separator: ", ")
        if other.contains(endpoint.port) {
            return asOutput
                ? "a link must start at an output port, but '\(endpoint)' is an input; output ports of \(node.label): \(list)"
                : "a link must end at an input port, but '\(endpoint)' is an output; input ports of \(node.label): \(list)"
        }
        return NameSuggestion.message(
            "\(node.label) has no \(asOutput ? "output" : "input") port '\(endpoint.port)'", name: endpoint.port.name,
            known: names, knownLabel: "its \(asOutput ? "output" : "input") ports"
        )
    }

    /// Every connector and pipeline takes part in some link, and every pipeline has both an
    /// input and an output link.
    func validateConnectedness(_ flow: FlowDefinition, into errors: inout [FlowError]) {
        var sources = Set<String>()
        var targets = Set<String>()
        for link in flow.links {
            sources.insert(link.from.node)
            targets.insert(link.to.node)
        }
        for connector in flow.connectors where !sources.contains(connector.name) && !targets.contains(connector.name) {
            errors.append(FlowError("connector '\(connector.name)' is not linked to anything; link it or remove it", at: connector.location))
        }
        for pipeline in flow.pipelines {
            let name = pipeline.name
            switch (targets.contains(name), sources.contains(name)) {
            case (false, false):
                errors.append(FlowError("pipeline '\(name)' is not linked to anything; link it or remove it", at: pipeline.location))
            case (false, true):
                errors.append(FlowError("pipeline '\(name)' has no input; add a link such as 'SOURCE -> \(name)'", at: pipeline.location))
            case (true, false):
                errors.append(FlowError("pipeline '\(name)' sends its events nowhere; add a link such as '\(name) -> SINK'", at: pipeline.location))
            case (true, true):
                break
            }
        }
    }
}
