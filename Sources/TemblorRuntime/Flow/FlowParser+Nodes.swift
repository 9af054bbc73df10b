import TemblorCodecs
import TemblorValue
import Yams

extension FlowParser {
    /// Where a node stands; Yams marks every composed node, 1:1 is a fallback that never shows.
    func location(_ node: Node?) -> SourceLocation {
        location(node?.mark)
    }

    func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    mutating func report(_ message: String, at node: Node?) {
        errors.append(FlowError(message, at: location(node)))
    }

    /// How a node reads in an error message: "a list", "the number 42", "the string 'x'".
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping:
            return "a mapping"
        case .sequence:
            return "a list"
        case .alias:
            return "an alias"
        case .scalar(let scalar):
            switch (try? Self.resolve(scalar).get()) ?? .string(scalar.string) {
            case .null: return scalar.string.isEmpty ? "nothing" : "null"
            case .bool(let b): return "the boolean \(b)"
            case .int, .uint, .float: return "the number \(scalar.string)"
            default: return "the string '\(scalar.string)'"
            }
        }
    }

    /// Whether a node is an empty or `null` scalar, which sections and settings read as "none".
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, case .success(.null) = Self.resolve(scalar) else { return false }
        return true
    }

    /// A mapping key as written; keys must be scalars (`1: x` has the key "1").
    mutating func keyName(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node else {
            report("keys must be plain names, not \(describe(node))", at: node)
            return nil
        }
        return scalar.string
    }

    /// A connector or pipeline name, which links must be able to spell.
    mutating func linkableName(_ node: Node, kind: String) -> String? {
        guard let name = keyName(node) else { return nil }
        if name.isEmpty {
            report("a \(kind) name cannot be empty", at: node)
            return nil
        }
        if name.contains("/") || name.contains("->") || name.contains(where: \.isWhitespace) {
            report("\(kind) name '\(name)' cannot be used in links; remove '/', '->' and spaces from it", at: node)
            return nil
        }
        return name
    }

    /// A name or a path (a type, a plugin): any non-empty scalar, as written, so that
    /// `type: null` names the null connector rather than YAML's null.
    mutating func string(_ node: Node, _ what: String, expected: String) -> String? {
        if case .scalar(let scalar) = node, !scalar.string.isEmpty {
            return scalar.string
        }
        report("\(what) must be \(expected), not \(describe(node))", at: node)
        return nil
    }

    /// A mapping of settings (`config`, `allow`, `limits`...); empty or `null` is no settings.
    mutating func settings(_ node: Node, _ what: String) -> Value {
        if isNull(node) { return .null }
        guard case .mapping = node else {
            report("\(what) must be a mapping of settings, not \(describe(node))", at: node)
            return .null
        }
        return value(of: node)
    }

    /// Records where each key of a settings mapping stands, nested keys joined with dots.
    func recordKeyLocations(of node: Node, prefix: String, into locations: inout [String: SourceLocation]) {
        guard case .mapping(let mapping) = node else { return }
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else { continue }
            let path = prefix + "." + key.string
            if locations[path] == nil {
                locations[path] = location(keyNode)
            }
            recordKeyLocations(of: valueNode, prefix: path, into: &locations)
        }
    }

    /// A node as a `Value`: plain scalars by the YAML 1.2 core schema, quoted ones as strings,
    /// mappings as objects in file order. Aliases are expanded within `maxValues`.
    mutating func value(of node: Node, depth: Int = 1) -> Value {
        valuesLeft -= 1
        if valuesLeft < 0 {
            if !budgetExhausted {
                budgetExhausted = true
                report(
                    "the flow file holds more than \(Self.maxValues) values once aliases are expanded; "
                        + "remove the aliases that repeat large parts",
                    at: node
                )
            }
            return .null
        }
        if depth > Self.maxDepth {
            report("settings nest deeper than \(Self.maxDepth) levels; flatten them", at: node)
            return .null
        }
        switch node {
        case .scalar(let scalar):
            return value(of: scalar)
        case .sequence(let sequence):
            var array: [Value] = []
            array.reserveCapacity(sequence.count)
            for element in sequence {
                array.append(value(of: element, depth: depth + 1))
            }
            return .array(array)
        case .mapping(let mapping):
            var object = Object(minimumCapacity: mapping.count)
            for (keyNode, valueNode) in mapping {
                guard let key = keyName(keyNode) else { continue }
                object[key] = value(of: valueNode, depth: depth + 1)
            }
            return .object(object)
        case .alias:
            // The composer resolves aliases to their nodes; an unresolved one carries no value.
            report("this alias names no anchor; define the anchor before using it", at: node)
            return .null
        }
    }

    /// A scalar's value; a bad tagged scalar is reported and reads as `null`.
    private mutating func value(of scalar: Node.Scalar) -> Value {
        switch Self.resolve(scalar) {
        case .success(let value):
            return value
        case .failure(let problem):
            errors.append(FlowError(
                "'\(scalar.string)' is tagged \(problem.tag) but is not \(problem.expected); fix the value or remove the tag",
                at: location(scalar.mark)
            ))
            return .null
        }
    }

    /// A tagged scalar whose text does not fit its tag (`!!int abc`).
    struct BadTag: Error {
        var tag: String
        var expected: String
    }

    /// A scalar by its tag: core tags are honoured, untagged plain scalars follow the core
    /// schema, quoted and block scalars are strings, other tags are ignored.
    static func resolve(_ scalar: Node.Scalar) -> Result<Value, BadTag> {
        let text = scalar.string
        switch scalar.tag.rawValue {
        case Tag.Name.str.rawValue, Tag.Name.nonSpecific.rawValue:
            return .success(.string(text))
        case Tag.Name.null.rawValue:
            return .success(.null)
        case Tag.Name.bool.rawValue:
            if case .bool(let b)? = YAMLScalarResolver.nullOrBool(text) { return .success(.bool(b)) }
            return .failure(BadTag(tag: "!!bool", expected: "true or false"))
        case Tag.Name.int.rawValue:
            if let integer = YAMLScalarResolver.integer(text), integer.intValue != nil || integer.uintValue != nil {
                return .success(integer)
            }
            return .failure(BadTag(tag: "!!int", expected: "a 64-bit integer"))
        case Tag.Name.float.rawValue:
            if let float = YAMLScalarResolver.float(text) { return .success(.float(float)) }
            if let double = YAMLScalarResolver.integer(text)?.doubleValue { return .success(.float(double)) }
            return .failure(BadTag(tag: "!!float", expected: "a number"))
        default:
            return .success(scalar.style == .plain ? YAMLScalarResolver.resolvePlain(text) : .string(text))
        }
    }
}
