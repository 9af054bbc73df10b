import TemblorValue

/// Gives untagged plain scalars their YAML 1.2 core-schema type, and tells the encoder which
/// strings must be quoted so that they come back as strings.
///
/// The same rules serve both directions, so a string the encoder leaves plain always decodes as
/// a string. Integers are parsed digit by digit and never pass through `Double`. Public so that
/// other YAML readers (flow files) type scalars by exactly the same rules.
public enum YAMLScalarResolver {
    /// The value of a plain scalar: null, bool, integer, float, or else the text itself.
    public static func resolvePlain(_ text: String) -> Value {
        if let special = nullOrBool(text) { return special }
        if let integer = integer(text) { return integer }
        if let float = float(text) { return .float(float) }
        return .string(text)
    }

    /// `null`, `~` or the empty scalar as `.null`; the six core-schema spellings of a boolean.
    public static func nullOrBool(_ text: String) -> Value? {
        switch text {
        case "", "~", "null", "Null", "NULL": .null
        case "true", "True", "TRUE": .bool(true)
        case "false", "False", "FALSE": .bool(false)
        default: nil
        }
    }

    /// A decimal (`[-+]?[0-9]+`), octal (`0o17`) or hexadecimal (`0x1F`) integer.
    ///
    /// A decimal beyond the 64-bit range becomes a float, as it would be in most YAML readers;
    /// octal and hexadecimal ones beyond it are not integers and stay strings.
    public static func integer(_ text: String) -> Value? {
        var utf8 = Substring(text).utf8
        guard let first = utf8.first else { return nil }
        if utf8.count > 2, first == UInt8(ascii: "0") {
            let marker = utf8[utf8.index(after: utf8.startIndex)]
            if marker == UInt8(ascii: "x") || marker == UInt8(ascii: "o") {
                let digits = utf8.dropFirst(2)
                guard let magnitude = parseMagnitude(digits, radix: marker == UInt8(ascii: "x") ? 16 : 8) else {
                    return nil
                }
                return magnitude.overflow ? nil : Value.integer(magnitude.value)
            }
        }
        var negative = false
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        guard let magnitude = parseMagnitude(utf8, radix: 10) else { return nil }
        if magnitude.overflow {
            return Double(text).map { .float($0) }
        }
        if !negative {
            return Value.integer(magnitude.value)
        }
        if magnitude.value <= UInt64(Int64.max) {
            return .int(-Int64(magnitude.value))
        }
        if magnitude.value == UInt64(Int64.max) + 1 {
            return .int(Int64.min)
        }
        return Double(text).map { .float($0) }
    }

    /// Digits in `radix` as a magnitude, flagging overflow; `nil` when a byte is not a digit.
    private static func parseMagnitude(_ digits: Substring.UTF8View, radix: UInt64) -> (value: UInt64, overflow: Bool)? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        var overflow = false
        for byte in digits {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            if !overflow {
                let (shifted, o1) = value.multipliedReportingOverflow(by: radix)
                let (sum, o2) = shifted.addingReportingOverflow(digit)
                if o1 || o2 { overflow = true } else { value = sum }
            }
        }
        return (value, overflow)
    }

    /// A core-schema float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`,
    /// `[-+]?.inf` or `.nan` (in their three spellings).
    public static func float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        guard isDecimalFloat(Substring(text).utf8) else { return nil }
        return Double(text)
    }

    /// Whether the bytes match the core schema's decimal float pattern.
    private static func isDecimalFloat(_ utf8: Substring.UTF8View) -> Bool {
        var i = utf8.startIndex
        let end = utf8.endIndex
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        if i < end, utf8[i] == UInt8(ascii: "-") || utf8[i] == UInt8(ascii: "+") { i = utf8.index(after: i) }
        var integerDigits = 0
        while i < end, isDigit(utf8[i]) { integerDigits += 1; i = utf8.index(after: i) }
        var fractionDigits = 0
        if i < end, utf8[i] == UInt8(ascii: ".") {
            i = utf8.index(after: i)
            while i < end, isDigit(utf8[i]) { fractionDigits += 1; i = utf8.index(after: i) }
            // `.5` needs a fraction digit, `5.` is fine.
            if integerDigits == 0 && fractionDigits == 0 { return false }
        } else if integerDigits == 0 {
            return false
        }
        if i < end, utf8[i] == UInt8(ascii: "e") || utf8[i] == UInt8(ascii: "E") {
            i = utf8.index(after: i)
            if i < end, utf8[i] == UInt8(ascii: "-") || utf8[i] == UInt8(ascii: "+") { i = utf8.index(after: i) }
            var exponentDigits = 0
            while i < end, isDigit(utf8[i]) { exponentDigits += 1; i = utf8.index(after: i) }
            if exponentDigits == 0 { return false }
        }
        return i == end
    }

    /// Whether a string must be quoted so that a YAML reader takes it for a string.
    ///
    /// Beyond the core schema this also quotes YAML 1.1's booleans (`yes`, `off`, ...) and
    /// anything starting like a number, so that older readers agree too.
    static func needsQuoting(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return true }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
             UInt8(ascii: "~"), UInt8(ascii: "<"), UInt8(ascii: "="):
            return true
        default:
            break
        }
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
             "on", "On", "ON", "off", "Off", "OFF":
            return true
        default:
            break
        }
        if case .string = resolvePlain(text) { return false }
        return true
    }
}
