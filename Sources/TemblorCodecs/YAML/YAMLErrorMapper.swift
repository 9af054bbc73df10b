import TemblorValue
import Yams

/// Turns Yams' errors and node marks into `CodecError`s that carry both libyaml's line and
/// column and the byte offset within the frame.
struct YAMLErrorMapper {
    /// The frame as decoded, to turn lines and columns into byte offsets.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The frame as the `String` Yams parsed, for its character-based reader offsets.
    let text: String

    /// A syntax error at a node or parser mark.
    func error(_ message: String, at mark: Mark?) -> CodecError {
        guard let mark else {
            return .syntax(codec: "yaml", message: message, offset: nil)
        }
        return .syntax(
            codec: "yaml",
            message: "\(message) at line \(mark.line), column \(mark.column)",
            offset: byteOffset(of: mark)
        )
    }

    /// The codec error for anything Yams threw while parsing.
    func error(from thrown: any Error) -> CodecError {
        guard let yamlError = thrown as? YamlError else {
            return .syntax(codec: "yaml", message: "\(thrown)", offset: nil)
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            if problem == "but found another document" {
                return error("a frame holds one YAML document, but another one starts here", at: mark)
            }
            var message = "\(problem) at line \(mark.line), column \(mark.column)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return .syntax(codec: "yaml", message: message, offset: byteOffset(of: mark))
        case .reader(let problem, let offset, _, _):
            return .syntax(codec: "yaml", message: problem, offset: offset.flatMap(byteOffset(ofCharacter:)))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return error("duplicate mapping key \(keys)", at: context.mark)
        case .memory:
            return .syntax(codec: "yaml", message: "the parser ran out of memory", offset: nil)
        default:
            return .syntax(codec: "yaml", message: "\(yamlError)", offset: nil)
        }
    }

    /// The byte offset of a 1-based line and a 1-based column counted in Unicode scalars, with
    /// line breaks as libyaml counts them (LF, CR, CRLF, NEL, LS, PS) and a leading BOM skipped.
    func byteOffset(of mark: Mark) -> Int {
        var offset = bytes.count
        walk { i, line, column in
            if line > mark.line || (line == mark.line && column >= mark.column) {
                offset = i
                return false
            }
            return true
        }
        return offset
    }

    /// Packed line and column (`line << 32 | column`) of each offset, for comparing with marks
    /// in one pass; `sortedOffsets` must be ascending.
    func packedMarks(ofSortedOffsets sortedOffsets: [Int]) -> Set<Int> {
        var result = Set<Int>()
        var next = 0
        walk { i, line, column in
            while next < sortedOffsets.count && sortedOffsets[next] < i { next += 1 }
            guard next < sortedOffsets.count else { return false }
            if sortedOffsets[next] == i {
                result.insert(Self.pack(line: line, column: column))
                next += 1
            }
            return true
        }
        return result
    }

    /// A mark packed as `packedMarks` does.
    static func pack(line: Int, column: Int) -> Int {
        line << 32 | column
    }

    /// Calls `body` with the offset, line and column of every character start, then once with
    /// the end offset, until it returns `false`.
    private func walk(_ body: (Int, Int, Int) -> Bool) {
        let n = bytes.count
        var i = 0
        if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        var line = 1
        var column = 1
        while i < n {
            guard body(i, line, column) else { return }
            let b = bytes[i]
            var breakLength = 0
            if b == UInt8(ascii: "\n") {
                breakLength = 1
            } else if b == UInt8(ascii: "\r") {
                breakLength = i + 1 < n && bytes[i + 1] == UInt8(ascii: "\n") ? 2 : 1
            } else if b == 0xC2 && i + 1 < n && bytes[i + 1] == 0x85 {
                breakLength = 2
            } else if b == 0xE2 && i + 2 < n && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9) {
                breakLength = 3
            }
            if breakLength > 0 {
                i += breakLength
                line += 1
                column = 1
            } else {
                i += Self.sequenceLength(b)
                column += 1
            }
        }
        _ = body(min(i, n), line, column)
    }

    /// The byte offset of the `Character` at `offset`, as Yams reports reader errors.
    private func byteOffset(ofCharacter offset: Int) -> Int? {
        guard let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else { return nil }
        return text.utf8.distance(from: text.utf8.startIndex, to: index)
    }

    /// The length of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte).
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }
}
