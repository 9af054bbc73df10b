import TemblorValue

/// A processor named on the command line, with its settings: `NAME[:KEY=VALUE,...]`.
struct ProcessorSpec: Equatable {
    var name: String
    var config: Value

    /// Parses one spec; values that read as integers or booleans become those, others strings.
    init(parsing text: String) throws(ProcessorSpecError) {
        guard let colon = text.firstIndex(of: ":") else {
            name = text
            config = .null
            return
        }
        name = String(text[..<colon])
        var object = Object()
        for pair in text[text.index(after: colon)...].split(separator: ",", omittingEmptySubsequences: true) {
            guard let eq = pair.firstIndex(of: "=") else { throw .missingEquals(spec: text, pair: String(pair)) }
            let key = String(pair[..<eq])
            let raw = String(pair[pair.index(after: eq)...])
            if let i = Int64(raw) {
                object[key] = .int(i)
            } else if raw == "true" || raw == "false" {
                object[key] = .bool(raw == "true")
            } else {
                object[key] = .string(Self.unescape(raw))
            }
        }
        config = .object(object)
    }

    /// Parses every spec; no spec at all means `defaultName`, and `none` means no processor.
    static func parseAll(_ texts: [String], default defaultName: String) throws(ProcessorSpecError) -> [ProcessorSpec] {
        if texts.isEmpty { return [try ProcessorSpec(parsing: defaultName)] }
        if texts == ["none"] { return [] }
        var specs: [ProcessorSpec] = []
        for text in texts {
            specs.append(try ProcessorSpec(parsing: text))
        }
        return specs
    }

    /// `\n`, `\t`, `\0` and `\\` in values, so separators can be typed in a shell.
    private static func unescape(_ raw: String) -> String {
        var out = ""
        var escaping = false
        for ch in raw {
            if escaping {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "0": out.append("\0")
                default: out.append(ch)
                }
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        if escaping { out.append("\\") }
        return out
    }
}

/// A processor spec on the command line that cannot be read.
enum ProcessorSpecError: Error, CustomStringConvertible {
    case missingEquals(spec: String, pair: String)

    var description: String {
        switch self {
        case .missingEquals(let spec, let pair):
            "processor '\(spec)': setting '\(pair)' needs KEY=VALUE"
        }
    }
}
