import TemblorValue
import Yams

extension FlowParser {
    /// The `pipelines` section: a mapping of names to lists of operators.
    mutating func pipelines(from node: Node) -> [PipelineDefinition] {
        if isNull(node) { return [] }
        guard case .mapping(let mapping) = node else {
            report("'pipelines' must be a mapping of names to lists of operators, not \(describe(node))", at: node)
            return []
        }
        var pipelines: [PipelineDefinition] = []
        for (keyNode, valueNode) in mapping {
            guard let name = linkableName(keyNode, kind: "pipeline") else { continue }
            guard case .sequence(let sequence) = valueNode else {
                report("pipeline '\(name)' must be a list of operators such as [passthrough], not \(describe(valueNode))", at: valueNode)
                pipelines.append(PipelineDefinition(name: name, operators: [], location: location(keyNode)))
                continue
            }
            var operators: [OperatorDefinition] = []
            for element in sequence {
                if let op = operatorDefinition(element, pipeline: name) {
                    operators.append(op)
                }
            }
            pipelines.append(PipelineDefinition(name: name, operators: operators, location: location(keyNode)))
        }
        return pipelines
    }

    /// One operator: a name (`passthrough`) or a one-key mapping (`batch: { count: 10 }`).
    mutating func operatorDefinition(_ node: Node, pipeline: String) -> OperatorDefinition? {
        let shape = "a name such as passthrough or a one-key mapping such as 'batch: { count: 10 }'"
        switch node {
        case .scalar:
            guard let name = string(node, "an operator of pipeline '\(pipeline)'", expected: shape) else { return nil }
            return OperatorDefinition(name: name, location: location(node))
        case .mapping(let mapping) where mapping.count == 1:
            let (keyNode, valueNode) = mapping[mapping.startIndex]
            guard let name = keyName(keyNode) else { return nil }
            return OperatorDefinition(name: name, config: value(of: valueNode), location: location(keyNode))
        case .mapping(let mapping):
            let keys = mapping.keys.map { $0.scalar?.string ?? "?" }.joined(separator: ", ")
            report(
                "an operator of pipeline '\(pipeline)' must be a one-key mapping such as 'batch: { count: 10 }', "
                    + "but this one has \(mapping.count) keys (\(keys)); give each operator its own list item",
                at: node
            )
            return nil
        default:
            report("an operator of pipeline '\(pipeline)' must be \(shape), not \(describe(node))", at: node)
            return nil
        }
    }
}
