extension Value: CustomStringConvertible {
    /// A compact JSON-like rendering; bytes show as `b"..."` with hex escapes for non-printables.
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .float(let f):
            out += String(f)
        case .string(let s): Value.quote(s, into: &out)
        case .bytes(let bytes):
            out += "b\""
            for byte in bytes {
                if byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    out += "\\x"
                    let hex = String(byte, radix: 16)
                    if hex.count == 1 { out += "0" }
                    out += hex
                }
            }
            out += "\""
        case .array(let array):
            out += "["
            for (i, element) in array.enumerated() {
                if i > 0 { out += ", " }
                element.write(to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (i, entry) in object.enumerated() {
                if i > 0 { out += ", " }
                Value.quote(entry.key, into: &out)
                out += ": "
                entry.value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
