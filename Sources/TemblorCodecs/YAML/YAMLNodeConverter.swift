import ExtrasBase64
import TemblorValue
import Yams

/// Turns a composed Yams node tree into a `Value`, expanding aliases under a budget.
///
/// Yams shares an anchored node wherever an alias names it, so the tree is small even when
/// its expansion is huge (billion laughs); every value produced here counts against
/// `maxNodes`, and nesting (which aliases can also deepen) against `maxDepth`.
struct YAMLNodeConverter {
    let maxNodes: Int
    let maxDepth: Int
    let errors: YAMLErrorMapper
    private(set) var nodeCount = 0

    init(maxNodes: Int, maxDepth: Int, errors: YAMLErrorMapper) {
        self.maxNodes = maxNodes
        self.maxDepth = maxDepth
        self.errors = errors
    }

    mutating func value(of node: Node, depth: Int = 1) throws(CodecError) -> Value {
        nodeCount += 1
        if nodeCount > maxNodes {
            throw errors.error(
                "document expands to more than \(maxNodes) values (aliases are expanded); raise max_nodes if this is intended",
                at: node.mark
            )
        }
        if depth > maxDepth {
            throw errors.error("document nests deeper than \(maxDepth) levels", at: node.mark)
        }
        switch node {
        case .scalar(let scalar):
            return try value(of: scalar)
        case .sequence(let sequence):
            var array: [Value] = []
            array.reserveCapacity(sequence.count)
            for element in sequence {
                array.append(try value(of: element, depth: depth + 1))
            }
            return .array(array)
        case .mapping(let mapping):
            var object = Object(minimumCapacity: mapping.count)
            for (keyNode, valueNode) in mapping {
                let key = try key(of: keyNode)
                if object.position(of: key) != nil {
                    throw errors.error("duplicate mapping key '\(key)'", at: keyNode.mark)
                }
                object.appendUnchecked(key: key, value: try value(of: valueNode, depth: depth + 1))
            }
            return .object(object)
        case .alias:
            throw errors.error("unresolved alias", at: node.mark)
        }
    }

    /// A mapping key as a string: a scalar key as written (`1: a` has the key `"1"`).
    private mutating func key(of node: Node) throws(CodecError) -> String {
        guard case .scalar(let scalar) = node else {
            throw errors.error("mapping keys must be scalars, not collections", at: node.mark)
        }
        nodeCount += 1
        if nodeCount > maxNodes {
            throw errors.error(
                "document expands to more than \(maxNodes) values (aliases are expanded); raise max_nodes if this is intended",
                at: node.mark
            )
        }
        return scalar.string
    }

    /// A scalar by its tag: core tags are honoured, untagged plain scalars are resolved by the
    /// core schema, quoted and block scalars and the `!` tag are strings, other tags are ignored.
    private func value(of scalar: Node.Scalar) throws(CodecError) -> Value {
        let text = scalar.string
        switch scalar.tag.rawValue {
        case Tag.Name.str.rawValue, Tag.Name.nonSpecific.rawValue:
            return .string(text)
        case Tag.Name.null.rawValue:
            return .null
        case Tag.Name.bool.rawValue:
            guard case .bool(let b)? = YAMLScalarResolver.nullOrBool(text) else {
                throw errors.error("'\(text)' is tagged !!bool but is not true or false", at: scalar.mark)
            }
            return .bool(b)
        case Tag.Name.int.rawValue:
            guard let integer = YAMLScalarResolver.integer(text), integer.intValue != nil || integer.uintValue != nil else {
                throw errors.error("'\(text)' is tagged !!int but is not a 64-bit integer", at: scalar.mark)
            }
            return integer
        case Tag.Name.float.rawValue:
            if let float = YAMLScalarResolver.float(text) { return .float(float) }
            if let integer = YAMLScalarResolver.integer(text), let double = integer.doubleValue { return .float(double) }
            throw errors.error("'\(text)' is tagged !!float but is not a number", at: scalar.mark)
        case Tag.Name.binary.rawValue:
            var base64: [UInt8] = []
            base64.reserveCapacity(text.utf8.count)
            for byte in text.utf8 where byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\n")
                && byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\t") {
                base64.append(byte)
            }
            do {
                return .bytes(try Base64.decode(bytes: base64))
            } catch {
                throw errors.error("!!binary scalar is not valid base64", at: scalar.mark)
            }
        default:
            // Untagged, or a tag without a meaning here (`!!timestamp`, a local `!tag`): the
            // scalar is what it would be untagged.
            return scalar.style == .plain ? YAMLScalarResolver.resolvePlain(text) : .string(text)
        }
    }
}
