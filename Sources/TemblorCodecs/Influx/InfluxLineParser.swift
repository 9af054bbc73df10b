import TemblorValue

/// Parses one line of InfluxDB line protocol into a point value, naming the byte offset of
/// any error.
///
/// Escapes follow the line protocol reference: a backslash before a character that the element
/// escapes (comma and space in measurements; comma, equals sign and space in tag keys, tag
/// values and field keys; double quote in string values) or before another backslash yields
/// that character; before anything else it is a literal backslash (`C:\temp` stays as is).
/// A backslash with nothing after it ends the line mid-escape and is an error.
struct InfluxLineParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var end: Int
    private var i = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        end = bytes.count
    }

    /// Which characters end an element and which a backslash escapes in it.
    private enum Element {
        case measurement, tagKey, tagValue, fieldKey

        var name: String {
            switch self {
            case .measurement: "measurement"
            case .tagKey: "tag key"
            case .tagValue: "tag value"
            case .fieldKey: "field key"
            }
        }

        func ends(at byte: UInt8) -> Bool {
            switch self {
            case .measurement: byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ")
            case .tagKey, .tagValue, .fieldKey:
                byte == UInt8(ascii: ",") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "=")
            }
        }

        func escapes(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "\\") || ends(at: byte)
        }
    }

    private static let space = UInt8(ascii: " ")
    private static let comma = UInt8(ascii: ",")
    private static let equals = UInt8(ascii: "=")
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    private func error(_ message: String, at offset: Int) -> CodecError {
        .syntax(codec: "influx", message: message, offset: offset)
    }

    mutating func parse() throws(CodecError) -> Value {
        // One line terminator may end the frame.
        if end > 0 && bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        if end > 0 && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        skipSpaces()
        if i == end || bytes[i] == UInt8(ascii: "#") { return .null }

        let measurementStart = i
        let measurement = try element(.measurement)
        if measurement.isEmpty {
            throw error("missing measurement name", at: measurementStart)
        }

        var tags = Object()
        while i < end && bytes[i] == Self.comma {
            i += 1
            let keyStart = i
            let key = try element(.tagKey)
            if key.isEmpty { throw error("missing tag key", at: keyStart) }
            guard i < end, bytes[i] == Self.equals else {
                throw error("expected '=' after tag key '\(key)'", at: i)
            }
            i += 1
            let valueStart = i
            let value = try element(.tagValue)
            if value.isEmpty { throw error("missing value for tag '\(key)'", at: valueStart) }
            if i < end && bytes[i] == Self.equals {
                throw error("unescaped '=' in the value of tag '\(key)'", at: i)
            }
            tags[key] = .string(value)
        }

        guard i < end else { throw error("missing fields (a point needs at least one)", at: i) }
        // Only a space can follow the measurement and tags here: commas were consumed above.
        skipSpaces()
        guard i < end else { throw error("missing fields (a point needs at least one)", at: i) }

        var fields = Object()
        while true {
            let keyStart = i
            let key = try element(.fieldKey)
            if key.isEmpty { throw error("missing field key", at: keyStart) }
            guard i < end, bytes[i] == Self.equals else {
                throw error("expected '=' after field key '\(key)'", at: i)
            }
            i += 1
            fields[key] = try fieldValue(key: key)
            guard i < end else { break }
            if bytes[i] == Self.comma {
                i += 1
                if i == end || bytes[i] == Self.space {
                    throw error("missing field after ','", at: i)
                }
                continue
            }
            guard bytes[i] == Self.space else {
                throw error("unexpected character after the value of field '\(key)'", at: i)
            }
            break
        }

        var point = Object(minimumCapacity: 4)
        point["measurement"] = .string(measurement)
        point["tags"] = .object(tags)
        point["fields"] = .object(fields)
        skipSpaces()
        if i < end {
            point["timestamp"] = .int(try timestamp())
        }
        return .object(point)
    }

    private mutating func skipSpaces() {
        while i < end && bytes[i] == Self.space { i += 1 }
    }

    /// Reads an element up to its first unescaped terminator, unescaping as it goes.
    private mutating func element(_ element: Element) throws(CodecError) -> String {
        var unescaped: [UInt8] = []
        var runStart = i
        while i < end {
            let byte = bytes[i]
            if byte == Self.backslash {
                guard i + 1 < end else {
                    throw error("backslash at the end of the line escapes nothing", at: i)
                }
                if element.escapes(bytes[i + 1]) {
                    unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                    unescaped.append(bytes[i + 1])
                    i += 2
                    runStart = i
                } else {
                    i += 1
                }
                continue
            }
            if element.ends(at: byte) { break }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("line break inside a \(element.name)", at: i)
            }
            i += 1
        }
        let tail = UnsafeBufferPointer(rebasing: bytes[runStart..<i])
        if unescaped.isEmpty {
            return String(decoding: tail, as: UTF8.self)
        }
        unescaped.append(contentsOf: tail)
        return String(decoding: unescaped, as: UTF8.self)
    }

    /// Reads a field value: a double-quoted string, a boolean, or a number with an optional
    /// `i` (integer) or `u` (unsigned) suffix.
    private mutating func fieldValue(key: String) throws(CodecError) -> Value {
        guard i < end, bytes[i] != Self.comma, bytes[i] != Self.space else {
            throw error("missing value for field '\(key)'", at: i)
        }
        let start = i
        switch bytes[i] {
        case Self.quote:
            return .string(try stringValue())
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            let token = self.token()
            switch String(decoding: token, as: UTF8.self) {
            case "t", "T", "true", "True", "TRUE": return .bool(true)
            case "f", "F", "false", "False", "FALSE": return .bool(false)
            case let other: throw error("bad boolean '\(other)' for field '\(key)'", at: start)
            }
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number(token(), at: start, key: key)
        default:
            throw error("the value of field '\(key)' must be a number, a boolean or a double-quoted string", at: start)
        }
    }

    /// The bytes up to the next comma or space.
    private mutating func token() -> UnsafeBufferPointer<UInt8> {
        let start = i
        while i < end && bytes[i] != Self.comma && bytes[i] != Self.space { i += 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<i])
    }

    /// A double-quoted string value; `\"` and `\\` are escapes, other backslashes are literal.
    private mutating func stringValue() throws(CodecError) -> String {
        let opening = i
        i += 1
        var unescaped: [UInt8] = []
        var runStart = i
        while true {
            guard i < end else {
                throw error("string value is never closed", at: opening)
            }
            let byte = bytes[i]
            if byte == Self.backslash, i + 1 < end, bytes[i + 1] == Self.quote || bytes[i + 1] == Self.backslash {
                unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                unescaped.append(bytes[i + 1])
                i += 2
                runStart = i
                continue
            }
            if byte == Self.quote { break }
            i += 1
        }
        unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
        i += 1
        return String(decoding: unescaped, as: UTF8.self)
    }

    /// A float (`-1.5e3`), an integer (`-12i`) or an unsigned integer (`12u`).
    private func number(_ token: UnsafeBufferPointer<UInt8>, at start: Int, key: String) throws(CodecError) -> Value {
        let text = String(decoding: token, as: UTF8.self)
        switch token.last {
        case UInt8(ascii: "i"):
            let body = UnsafeBufferPointer(rebasing: token.dropLast())
            let negative = body.first == UInt8(ascii: "-")
            let digits = negative ? UnsafeBufferPointer(rebasing: body.dropFirst()) : body
            let magnitude: UInt64
            switch Self.decimal(digits) {
            case .notDigits: throw error("bad integer '\(text)' for field '\(key)'", at: start)
            case .overflow: throw error("integer '\(text)' for field '\(key)' is out of the 64-bit range", at: start)
            case .value(let v): magnitude = v
            }
            if !negative {
                guard magnitude <= UInt64(Int64.max) else {
                    throw error("integer '\(text)' for field '\(key)' is out of the 64-bit range", at: start)
                }
                return .int(Int64(magnitude))
            }
            guard magnitude <= UInt64(Int64.max) + 1 else {
                throw error("integer '\(text)' for field '\(key)' is out of the 64-bit range", at: start)
            }
            return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
        case UInt8(ascii: "u"):
            let digits = UnsafeBufferPointer(rebasing: token.dropLast())
            switch Self.decimal(digits) {
            case .notDigits: throw error("bad unsigned integer '\(text)' for field '\(key)'", at: start)
            case .overflow: throw error("unsigned integer '\(text)' for field '\(key)' is out of the 64-bit range", at: start)
            case .value(let magnitude): return Value.integer(magnitude)
            }
        default:
            guard Self.isFloat(token), let float = Double(text) else {
                throw error("bad number '\(text)' for field '\(key)'", at: start)
            }
            guard float.isFinite else {
                throw error("float '\(text)' for field '\(key)' is out of range", at: start)
            }
            return .float(float)
        }
    }

    /// A timestamp: an optionally negative decimal integer, then nothing but spaces.
    private mutating func timestamp() throws(CodecError) -> Int64 {
        let start = i
        let token = self.token()
        let text = String(decoding: token, as: UTF8.self)
        let negative = token.first == UInt8(ascii: "-")
        let digits = negative ? UnsafeBufferPointer(rebasing: token.dropFirst()) : token
        let magnitude: UInt64
        switch Self.decimal(digits) {
        case .notDigits: throw error("bad timestamp '\(text)' (expected an integer)", at: start)
        case .overflow: throw error("timestamp '\(text)' is out of the 64-bit range", at: start)
        case .value(let v): magnitude = v
        }
        guard magnitude <= UInt64(Int64.max) else {
            throw error("timestamp '\(text)' is out of the 64-bit range", at: start)
        }
        skipSpaces()
        if i < end {
            throw error("unexpected text after the timestamp", at: i)
        }
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// What a run of bytes is as an unsigned decimal.
    private enum Decimal {
        case notDigits
        case overflow
        case value(UInt64)
    }

    private static func decimal(_ digits: UnsafeBufferPointer<UInt8>) -> Decimal {
        guard !digits.isEmpty else { return .notDigits }
        var value: UInt64 = 0
        var overflow = false
        for byte in digits {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return .notDigits }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = shifted.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            if o1 || o2 { overflow = true }
            value = sum
        }
        return overflow ? .overflow : .value(value)
    }

    /// Whether the bytes form `-?(digits(.digits?)?|.digits)([eE][-+]?digits)?`.
    private static func isFloat(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = 0
        let n = token.count
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if k < n && token[k] == UInt8(ascii: "-") { k += 1 }
        var integerDigits = 0
        while k < n && isDigit(token[k]) { integerDigits += 1; k += 1 }
        var fractionDigits = 0
        if k < n && token[k] == UInt8(ascii: ".") {
            k += 1
            while k < n && isDigit(token[k]) { fractionDigits += 1; k += 1 }
        }
        guard integerDigits + fractionDigits > 0 else { return false }
        if k < n && (token[k] == UInt8(ascii: "e") || token[k] == UInt8(ascii: "E")) {
            k += 1
            if k < n && (token[k] == UInt8(ascii: "-") || token[k] == UInt8(ascii: "+")) { k += 1 }
            var exponentDigits = 0
            while k < n && isDigit(token[k]) { exponentDigits += 1; k += 1 }
            guard exponentDigits > 0 else { return false }
        }
        return k == n
    }
}
