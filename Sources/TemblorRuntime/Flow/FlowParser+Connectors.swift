import TemblorValue
import Yams

extension FlowParser {
    /// The keys a connector definition may have, in the order the documentation shows them.
    static let connectorKeys = [
        "type", "config", "codec", "preprocessors", "postprocessors", "plugin", "allow", "limits", "reconnect",
        "buffer",
    ]

    /// The `connectors` section: a mapping of instance names to definitions.
    mutating func connectors(from node: Node) -> [ConnectorDefinition] {
        if isNull(node) { return [] }
        guard case .mapping(let mapping) = node else {
            report("'connectors' must be a mapping of names to connector definitions, not \(describe(node))", at: node)
            return []
        }
        var connectors: [ConnectorDefinition] = []
        for (keyNode, valueNode) in mapping {
            guard let name = linkableName(keyNode, kind: "connector") else { continue }
            connectors.append(connector(named: name, at: location(keyNode), from: valueNode))
        }
        return connectors
    }

    /// One connector; problems are reported and the definition keeps what could be read.
    mutating func connector(named name: String, at location: SourceLocation, from node: Node) -> ConnectorDefinition {
        var connector = ConnectorDefinition(name: name, type: "", location: location)
        guard case .mapping(let mapping) = node else {
            report("connector '\(name)' must be a mapping with at least a 'type' key, not \(describe(node))", at: node)
            return connector
        }
        var sawType = false
        for (keyNode, valueNode) in mapping {
            guard let key = keyName(keyNode) else { continue }
            connector.keyLocations[key] = self.location(keyNode)
            let what = "'\(key)' of connector '\(name)'"
            switch key {
            case "type":
                sawType = true
                connector.type = string(valueNode, what, expected: "a connector type name such as file or lua") ?? ""
            case "config":
                connector.config = settings(valueNode, what)
                recordKeyLocations(of: valueNode, prefix: "config", into: &connector.keyLocations)
            case "codec":
                connector.codec = processor(valueNode, "the codec of connector '\(name)'", example: "json")
            case "preprocessors":
                connector.preprocessors = processors(valueNode, what, each: "a preprocessor of connector '\(name)'")
            case "postprocessors":
                connector.postprocessors = processors(valueNode, what, each: "a postprocessor of connector '\(name)'")
            case "plugin":
                connector.plugin = string(valueNode, what, expected: "the path of a Lua file or of a directory with init.lua")
            case "allow":
                connector.allow = settings(valueNode, what)
            case "limits":
                connector.limits = settings(valueNode, what)
            case "reconnect":
                connector.reconnect = settings(valueNode, what)
            case "buffer":
                connector.buffer = settings(valueNode, what)
                recordKeyLocations(of: valueNode, prefix: "buffer", into: &connector.keyLocations)
            default:
                report(
                    NameSuggestion.message(
                        "unknown key '\(key)' in connector '\(name)'", name: key,
                        known: Self.connectorKeys, knownLabel: "known keys"
                    ),
                    at: keyNode
                )
            }
        }
        if !sawType {
            errors.append(FlowError(
                "connector '\(name)' has no 'type'; add one such as 'type: file' or 'type: lua'",
                at: location
            ))
        }
        return connector
    }

    /// A list of processors: `[separate, { name: base64 }]`.
    mutating func processors(_ node: Node, _ what: String, each: String) -> [ProcessorReference]? {
        guard case .sequence(let sequence) = node else {
            report("\(what) must be a list such as [separate], not \(describe(node))", at: node)
            return nil
        }
        var references: [ProcessorReference] = []
        for element in sequence {
            if let reference = processor(element, each, example: "separate") {
                references.append(reference)
            }
        }
        return references
    }

    /// A codec or processor: a name, or `{ name: separate, config: { ... } }`.
    mutating func processor(_ node: Node, _ what: String, example: String) -> ProcessorReference? {
        let shape = "a name such as \(example), or a mapping such as { name: \(example), config: { ... } }"
        switch node {
        case .scalar:
            guard let name = string(node, what, expected: shape) else { return nil }
            return ProcessorReference(name: name, location: location(node))
        case .mapping(let mapping):
            var name: String?
            var config: Value = .null
            for (keyNode, valueNode) in mapping {
                guard let key = keyName(keyNode) else { continue }
                switch key {
                case "name":
                    name = string(valueNode, "the 'name' of \(what)", expected: "a name such as \(example)")
                case "config":
                    config = settings(valueNode, "the 'config' of \(what)")
                default:
                    report(
                        NameSuggestion.message(
                            "unknown key '\(key)' in \(what)", name: key, known: ["name", "config"], knownLabel: "known keys"
                        ),
                        at: keyNode
                    )
                }
            }
            guard let name else {
                if mapping.keys.contains(where: { $0.scalar?.string == "name" }) { return nil }
                report("\(what) has no 'name'; write it as \(shape)", at: node)
                return nil
            }
            return ProcessorReference(name: name, config: config, location: location(node))
        default:
            report("\(what) must be \(shape), not \(describe(node))", at: node)
            return nil
        }
    }
}
