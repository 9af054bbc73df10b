import TemblorValue
import Yams

/// Refuses documents whose mapping keys are aliases or collections before Yams composes them.
///
/// Yams checks every mapping for duplicate keys by hashing the key nodes, and an alias key
/// hashes its whole expansion: `? *bomb` costs as much as the billion-laughs expansion itself,
/// before any node limit of ours could apply. So when a document has alias tokens, it is first
/// composed with every `*` of an alias replaced by a letter (same length, same positions, no
/// aliases left, so linear work), and the keys of that copy are checked: a collection key, or a
/// plain key starting where an alias starts, stops the decode. Only then is the real document
/// composed. Documents without aliases skip all this.
enum YAMLAliasKeyGuard {
    /// Offsets of `*` bytes that start an alias token (`*` then an anchor character).
    static func aliasStarts(in bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var starts: [Int] = []
        var i = 0
        let n = bytes.count
        while i + 1 < n {
            if bytes[i] == UInt8(ascii: "*") && isAnchorCharacter(bytes[i + 1]) {
                starts.append(i)
            }
            i += 1
        }
        return starts
    }

    /// Characters libyaml allows in anchor and alias names.
    static func isAnchorCharacter(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// Throws when the document, with its aliases neutralised, has a key that is a collection
    /// or an alias. `errors` maps marks to offsets within the original frame.
    static func check(
        bytes: UnsafeBufferPointer<UInt8>,
        aliasStarts: [Int],
        errors: YAMLErrorMapper
    ) throws(CodecError) {
        var neutral = Array(bytes)
        for offset in aliasStarts {
            neutral[offset] = UInt8(ascii: "x")
        }
        let text = String(decoding: neutral, as: UTF8.self)
        let root: Node?
        do {
            root = try Yams.Parser(yaml: text, resolver: .basic, encoding: .utf8).singleRoot()
        } catch {
            throw errors.error(from: error)
        }
        guard let root else { return }
        let aliasMarks = errors.packedMarks(ofSortedOffsets: aliasStarts)
        // An explicit stack: the copy is alias-free, so this visits each node once.
        var pending: [Node] = [root]
        while let node = pending.popLast() {
            switch node {
            case .scalar, .alias:
                continue
            case .sequence(let sequence):
                pending.append(contentsOf: sequence)
            case .mapping(let mapping):
                for (key, value) in mapping {
                    switch key {
                    case .scalar(let scalar):
                        if scalar.style == .plain, let mark = scalar.mark,
                           aliasMarks.contains(YAMLErrorMapper.pack(line: mark.line, column: mark.column)) {
                            throw errors.error("an alias cannot be a mapping key", at: mark)
                        }
                    case .sequence, .mapping, .alias:
                        throw errors.error("mapping keys must be scalars, not collections", at: key.mark)
                    }
                    pending.append(value)
                }
            }
        }
    }
}
