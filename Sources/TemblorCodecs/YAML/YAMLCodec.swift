import TemblorValue
import Yams

/// YAML, one document per frame, parsed and emitted by Yams (libyaml).
///
/// Plain scalars follow the YAML 1.2 core schema: `null`/`~`/empty are null, `true`/`false`
/// (three spellings each) are booleans, decimal/`0x`/`0o` integers keep 64-bit precision,
/// floats include `.inf` and `.nan`; quoted scalars are strings, `!!binary` is bytes. Mapping
/// keys keep their order; scalar keys become their text. Merge keys (`<<`) are not applied.
/// A frame with several documents is an error; an empty frame is null. Aliases are expanded
/// under `maxNodes`, and alias or collection mapping keys are refused. Yams drops a U+FEFF at
/// the very start of a scalar, so such a string loses that character on the way back.
public struct YAMLCodec: Codec {
    /// The most values a decoded document may hold once aliases are expanded.
    public var maxNodes: Int
    /// How encoded documents lay out collections.
    public var style: Style

    /// Nesting limit for decoding (aliases can nest past libyaml's own limit) and encoding.
    static let maxDepth = 1000

    /// A codec that refuses documents expanding past `maxNodes` values and writes `style`.
    public init(maxNodes: Int = 1_000_000, style: Style = .block) {
        self.maxNodes = maxNodes
        self.style = style
    }

    /// Reads `max_nodes` (default 1000000) and `style` (`block` or `flow`, default `block`).
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["max_nodes", "style"])
        let maxNodes = try config.int("max_nodes", default: 1_000_000, in: 1...Int(Int32.max))
        let style = try config.choice("style", default: Style.block.rawValue, in: Style.allCases.map(\.rawValue))
        self.init(maxNodes: maxNodes, style: Style(rawValue: style) ?? .block)
    }

    /// Decodes one document; syntax errors carry libyaml's line and column and the byte offset.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        let utf8 = try UTF8Validation.text(bytes, codec: "yaml")
        let text = String(decoding: utf8, as: UTF8.self)
        let errors = YAMLErrorMapper(bytes: utf8, text: text)
        let aliasStarts = YAMLAliasKeyGuard.aliasStarts(in: utf8)
        if !aliasStarts.isEmpty {
            try YAMLAliasKeyGuard.check(bytes: utf8, aliasStarts: aliasStarts, errors: errors)
        }
        let root: Node?
        do {
            // The basic resolver has no regexes: scalars are typed by YAMLScalarResolver.
            root = try Yams.Parser(yaml: text, resolver: .basic, encoding: .utf8).singleRoot()
        } catch {
            throw errors.error(from: error)
        }
        guard let root else { return .null }
        var converter = YAMLNodeConverter(maxNodes: maxNodes, maxDepth: Self.maxDepth, errors: errors)
        return try converter.value(of: root)
    }

    /// Appends one document without a trailing line break.
    public mutating func encode(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        let marker = Anchor(rawValue: Self.binaryMarkerName(for: value) ?? "binary")
        var builder = YAMLNodeBuilder(maxDepth: Self.maxDepth, flow: style == .flow, binaryMarker: marker)
        let root = try builder.node(for: value)
        var text: String
        do {
            text = try withExtendedLifetime(marker) {
                try Yams.serialize(node: root, indent: 2, width: -1, allowUnicode: true)
            }
        } catch {
            throw .unencodable(codec: "yaml", reason: "the emitter failed: \(error)")
        }
        if builder.usedBinaryMarker {
            text = text.replacing("&" + marker.rawValue, with: "!!binary")
        }
        var utf8 = Substring(text).utf8
        while let last = utf8.last, last == UInt8(ascii: "\n") {
            utf8 = utf8.dropLast()
        }
        buffer.append(contentsOf: utf8)
    }

    /// An anchor name such that `&name` occurs in no string or key of `value`, so that the
    /// emitted text holds it only where it marks a bytes scalar; `nil` when there are no bytes.
    static func binaryMarkerName(for value: Value) -> String? {
        var texts: [String] = []
        var hasBytes = false
        collectTexts(value, depth: 1, texts: &texts, hasBytes: &hasBytes)
        guard hasBytes else { return nil }
        var candidate = "binary"
        var counter = 0
        while texts.contains(where: { $0.contains("&" + candidate) }) {
            counter += 1
            candidate = "binary\(counter)"
        }
        return candidate
    }

    /// Gathers the strings and keys holding `&`; stops at `maxDepth`, where encoding fails anyway.
    private static func collectTexts(_ value: Value, depth: Int, texts: inout [String], hasBytes: inout Bool) {
        guard depth <= maxDepth else { return }
        switch value {
        case .string(let s):
            if s.utf8.contains(UInt8(ascii: "&")) { texts.append(s) }
        case .bytes:
            hasBytes = true
        case .array(let array):
            for element in array {
                collectTexts(element, depth: depth + 1, texts: &texts, hasBytes: &hasBytes)
            }
        case .object(let object):
            for (key, element) in object {
                if key.utf8.contains(UInt8(ascii: "&")) { texts.append(key) }
                collectTexts(element, depth: depth + 1, texts: &texts, hasBytes: &hasBytes)
            }
        default:
            break
        }
    }
}
