import TemblorValue

/// Gives untagged plain scalars of a flow file their YAML 1.2 core-schema type, the same rules
/// the YAML codec applies, so that `count: 10` is an integer and `"10"` stays a string.
enum FlowScalarResolver {
    /// The value of a plain scalar: null, bool, integer, float, or else the text itself.
    static func resolvePlain(_ text: String) -> Value {
        if let special = nullOrBool(text) { return special }
        if let integer = integer(text) { return integer }
        if let float = float(text) { return .float(float) }
        return .string(text)
    }

    /// `null`, `~` or the empty scalar as `.null`; the six core-schema spellings of a boolean.
    static func nullOrBool(_ text: String) -> Value? {
        switch text {
        case "", "~", "null", "Null", "NULL": .null
        case "true", "True", "TRUE": .bool(true)
        case "false", "False", "FALSE": .bool(false)
        default: nil
        }
    }

    /// A decimal (`[-+]?[0-9]+`), octal (`0o17`) or hexadecimal (`0x1F`) integer; a decimal
    /// beyond 64 bits becomes a float, octal and hexadecimal ones beyond it are not integers.
    static func integer(_ text: String) -> Value? {
        var digits = Substring(text)
        guard let first = digits.first else { return nil }
        if digits.count > 2, first == "0", let radix = radix(of: digits.dropFirst().first) {
            guard let magnitude = UInt64(digits.dropFirst(2), radix: radix),
                  digits.dropFirst(2).allSatisfy(\.isHexDigit) else { return nil }
            return Value.integer(magnitude)
        }
        var negative = false
        if first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        guard let magnitude = UInt64(digits) else { return Double(text).map { .float($0) } }
        if !negative { return Value.integer(magnitude) }
        if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
        if magnitude == UInt64(Int64.max) + 1 { return .int(.min) }
        return Double(text).map { .float($0) }
    }

    /// 16 after `0x`, 8 after `0o`.
    private static func radix(of marker: Character?) -> Int? {
        switch marker {
        case "x": 16
        case "o": 8
        default: nil
        }
    }

    /// A core-schema float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`,
    /// `[-+]?.inf` or `.nan` (in their three spellings).
    static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard isDecimalFloat(Array(text.utf8)) else { return nil }
        return Double(text)
    }

    /// Whether the bytes match the core schema's decimal float pattern.
    private static func isDecimalFloat(_ bytes: [UInt8]) -> Bool {
        var i = 0
        let end = bytes.count
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        var integerDigits = 0
        while i < end, isDigit(bytes[i]) { integerDigits += 1; i += 1 }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            var fractionDigits = 0
            while i < end, isDigit(bytes[i]) { fractionDigits += 1; i += 1 }
            if integerDigits == 0 && fractionDigits == 0 { return false }
        } else if integerDigits == 0 {
            return false
        }
        if i < end, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            var exponentDigits = 0
            while i < end, isDigit(bytes[i]) { exponentDigits += 1; i += 1 }
            if exponentDigits == 0 { return false }
        }
        return i == end
    }
}
