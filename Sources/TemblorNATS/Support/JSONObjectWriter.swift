/// A flat JSON object written field by field, for the few small objects the protocol sends
/// (CONNECT, pull requests) where key order should be stable and Foundation is not needed.
struct JSONObjectWriter {
    private var text = "{"
    private var first = true

    mutating func field(_ key: String, _ value: String) {
        writeKey(key)
        Self.appendQuoted(value, to: &text)
    }

    mutating func field(_ key: String, _ value: Bool) {
        writeKey(key)
        text += value ? "true" : "false"
    }

    mutating func field(_ key: String, _ value: Int) {
        writeKey(key)
        text += String(value)
    }

    mutating func field(_ key: String, _ value: Int64) {
        writeKey(key)
        text += String(value)
    }

    var finished: String { text + "}" }

    private mutating func writeKey(_ key: String) {
        if !first { text += "," }
        first = false
        Self.appendQuoted(key, to: &text)
        text += ":"
    }

    /// `value` as a JSON string literal.
    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
