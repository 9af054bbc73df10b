/// A parsed path into a value, such as `http.status`, `tags.0` or `tags[0].name`.
///
/// A segment made of digits indexes an array and names a key in an object, so the same path
/// reads `{"tags": ["a"]}` and `{"tags": {"0": "a"}}`. A backslash escapes `.`, `[` and `\`.
public struct ValuePath: Sendable, Hashable, CustomStringConvertible {
    /// The segments in order, unescaped.
    public let segments: [String]

    /// Parses a dotted path; the empty string is the path to the value itself.
    public init(_ text: String) throws(ValuePathError) {
        var segments: [String] = []
        var current = ""
        var escaping = false
        var inBracket = false
        var justClosedBracket = false
        for (offset, ch) in text.enumerated() {
            if escaping {
                current.append(ch)
                escaping = false
                continue
            }
            switch ch {
            case "\\":
                escaping = true
            case "." where !inBracket:
                if current.isEmpty && !justClosedBracket {
                    throw .emptySegment(path: text, offset: offset)
                }
                if !justClosedBracket { segments.append(current) }
                current = ""
                justClosedBracket = false
                continue
            case "[" where !inBracket:
                if !current.isEmpty { segments.append(current) }
                else if segments.isEmpty && offset != 0 { throw .emptySegment(path: text, offset: offset) }
                current = ""
                inBracket = true
            case "]" where inBracket:
                guard !current.isEmpty, current.allSatisfy(\.isASCII), Int(current) != nil else {
                    throw .badIndex(path: text, offset: offset)
                }
                segments.append(current)
                current = ""
                inBracket = false
                justClosedBracket = true
                continue
            default:
                if justClosedBracket { throw .badIndex(path: text, offset: offset) }
                current.append(ch)
            }
            justClosedBracket = false
        }
        if escaping { throw .danglingEscape(path: text) }
        if inBracket { throw .unclosedBracket(path: text) }
        if !current.isEmpty {
            segments.append(current)
        } else if !text.isEmpty && !justClosedBracket {
            throw .emptySegment(path: text, offset: text.count)
        }
        self.segments = segments
    }

    /// A path from segments that are used verbatim.
    public init(segments: [String]) {
        self.segments = segments
    }

    public var description: String {
        segments.map { segment in
            var out = ""
            for ch in segment {
                if ch == "." || ch == "[" || ch == "\\" { out.append("\\") }
                out.append(ch)
            }
            return out
        }.joined(separator: ".")
    }
}

/// Why a path string could not be parsed.
public enum ValuePathError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptySegment(path: String, offset: Int)
    case badIndex(path: String, offset: Int)
    case unclosedBracket(path: String)
    case danglingEscape(path: String)

    public var description: String {
        switch self {
        case .emptySegment(let path, let offset):
            "path '\(path)' has an empty segment at character \(offset); write keys between the dots"
        case .badIndex(let path, let offset):
            "path '\(path)' has a bad index at character \(offset); brackets hold a number, as in tags[0]"
        case .unclosedBracket(let path):
            "path '\(path)' opens a bracket it never closes"
        case .danglingEscape(let path):
            "path '\(path)' ends with a backslash; escape a character, as in a\\.b"
        }
    }
}
