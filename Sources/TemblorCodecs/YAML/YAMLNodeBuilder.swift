import ExtrasBase64
import TemblorValue
import Yams

/// Builds the Yams node tree that `Yams.serialize` emits for a `Value`.
///
/// Scalars carry explicit tags so that Yams does not run its regex resolver, and strings that
/// would read back as something else are double-quoted. Yams writes no tags (it marks every
/// scalar implicit), so bytes scalars carry the anchor `binaryMarker`, chosen to appear nowhere
/// in the value's text, and the codec rewrites `&marker` into `!!binary` after emitting.
struct YAMLNodeBuilder {
    /// Nesting deeper than this is refused rather than recursing further.
    let maxDepth: Int
    /// Emit collections in flow style (`{a: 1, b: [x]}`), one line per document.
    let flow: Bool
    /// The anchor that marks bytes scalars; the caller keeps it alive while emitting, since
    /// Yams holds anchors weakly.
    let binaryMarker: Anchor
    /// Whether any bytes scalar was built, so the marker needs rewriting.
    private(set) var usedBinaryMarker = false

    init(maxDepth: Int, flow: Bool, binaryMarker: Anchor) {
        self.maxDepth = maxDepth
        self.flow = flow
        self.binaryMarker = binaryMarker
    }

    mutating func node(for value: Value, depth: Int = 1) throws(CodecError) -> Node {
        if depth > maxDepth {
            throw .unencodable(codec: "yaml", reason: "value nests deeper than \(maxDepth) levels")
        }
        switch value {
        case .null:
            return Node("null", Tag(.null, .basic), .plain)
        case .bool(let b):
            return Node(b ? "true" : "false", Tag(.bool, .basic), .plain)
        case .int(let i):
            return Node(String(i), Tag(.int, .basic), .plain)
        case .uint(let u):
            return Node(String(u), Tag(.int, .basic), .plain)
        case .float(let f):
            return Node(Self.floatText(f), Tag(.float, .basic), .plain)
        case .string(let s):
            return Self.stringNode(s)
        case .bytes(let b):
            usedBinaryMarker = true
            let style: Node.Scalar.Style = b.isEmpty ? .singleQuoted : .plain
            return .scalar(Node.Scalar(Base64.encodeToString(bytes: b), Tag(.str, .basic), style, nil, binaryMarker))
        case .array(let array):
            var nodes: [Node] = []
            nodes.reserveCapacity(array.count)
            for element in array {
                nodes.append(try node(for: element, depth: depth + 1))
            }
            return Node(nodes, Tag(.seq, .basic), flow ? .flow : .any)
        case .object(let object):
            var pairs: [(Node, Node)] = []
            pairs.reserveCapacity(object.count)
            for (key, element) in object {
                pairs.append((Self.stringNode(key), try node(for: element, depth: depth + 1)))
            }
            return Node(pairs, Tag(.map, .basic), flow ? .flow : .any)
        }
    }

    /// A string scalar, double-quoted when it would otherwise read back as another type or
    /// when it holds a line break (which keeps flow documents on one line).
    static func stringNode(_ s: String) -> Node {
        let quote = YAMLScalarResolver.needsQuoting(s) || s.unicodeScalars.contains { scalar in
            switch scalar {
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": true
            default: false
            }
        }
        return Node(s, Tag(.str, .basic), quote ? .doubleQuoted : .any)
    }

    /// A float in a form the core schema reads back as a float: `.inf`, `-.inf`, `.nan`, and
    /// finite values always with a decimal point (`1.0`, `1.0e-05`).
    static func floatText(_ f: Double) -> String {
        if f.isNaN { return ".nan" }
        if f.isInfinite { return f < 0 ? "-.inf" : ".inf" }
        let text = f.description
        guard !text.contains(".") else { return text }
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            return text[..<e] + ".0" + text[e...]
        }
        return text + ".0"
    }
}
