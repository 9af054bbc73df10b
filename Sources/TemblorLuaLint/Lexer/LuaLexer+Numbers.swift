/// Numerals: decimal and hexadecimal, integers and floats, with exponents.
extension LuaLexer {
    /// Reads a numeral the way Lua does (greedily, then checks it), so that `3x` and `1..2` are
    /// malformed numbers rather than two tokens.
    mutating func readNumeral() throws(LuaSyntaxError) -> LuaNumber {
        let start = offset
        let startPosition = position
        var exponentMarks: (UInt8, UInt8) = (UInt8(ascii: "e"), UInt8(ascii: "E"))
        // As in Lua, `.0x1` reads the `0x` after the dot as a hexadecimal prefix (and fails).
        if current == UInt8(ascii: ".") { offset += 1 }
        if current == UInt8(ascii: "0"), byte(at: offset + 1) == UInt8(ascii: "x") || byte(at: offset + 1) == UInt8(ascii: "X") {
            offset += 2
            exponentMarks = (UInt8(ascii: "p"), UInt8(ascii: "P"))
        }
        while let c = current {
            if c == exponentMarks.0 || c == exponentMarks.1 {
                offset += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            } else if Self.isHexDigit(c) || c == UInt8(ascii: ".") {
                offset += 1
            } else {
                break
            }
        }
        if let c = current, Self.isNameStart(c) { offset += 1 }
        let numeral = Array(bytes[start..<offset])
        guard let value = Self.number(numeral) else {
            throw LuaSyntaxError(position: startPosition, message: "malformed number near '\(text(from: start))'")
        }
        return value
    }

    /// The value of a complete numeral, or nil when Lua would reject it.
    static func number(_ s: [UInt8]) -> LuaNumber? {
        let isHex = s.count >= 2 && s[0] == UInt8(ascii: "0") && (s[1] == UInt8(ascii: "x") || s[1] == UInt8(ascii: "X"))
        var index = isHex ? 2 : 0
        func digit(_ c: UInt8) -> Int? {
            if isHex { return hexValue(c) }
            return isDigit(c) ? Int(c - UInt8(ascii: "0")) : nil
        }
        var mantissaDigits: [Int] = []
        var fractionDigits = 0
        var sawDot = false
        while index < s.count {
            if let d = digit(s[index]) {
                mantissaDigits.append(d)
                if sawDot { fractionDigits += 1 }
            } else if s[index] == UInt8(ascii: "."), !sawDot {
                sawDot = true
            } else {
                break
            }
            index += 1
        }
        guard !mantissaDigits.isEmpty else { return nil }
        var exponent: Int?
        if index < s.count {
            let mark = s[index]
            guard isHex ? (mark == UInt8(ascii: "p") || mark == UInt8(ascii: "P")) : (mark == UInt8(ascii: "e") || mark == UInt8(ascii: "E"))
            else { return nil }
            index += 1
            var negative = false
            if index < s.count, s[index] == UInt8(ascii: "+") || s[index] == UInt8(ascii: "-") {
                negative = s[index] == UInt8(ascii: "-")
                index += 1
            }
            var e = 0
            var count = 0
            while index < s.count, isDigit(s[index]) {
                e = min(e * 10 + Int(s[index] - UInt8(ascii: "0")), 100_000)
                index += 1
                count += 1
            }
            guard count > 0, index == s.count else { return nil }
            exponent = negative ? -e : e
        }
        if !sawDot, exponent == nil {
            if isHex {
                // Hexadecimal integers wrap around, as in Lua.
                var v: UInt64 = 0
                for d in mantissaDigits { v = v &* 16 &+ UInt64(d) }
                return .integer(Int64(bitPattern: v))
            }
            var v: Int64 = 0
            var overflow = false
            for d in mantissaDigits {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(d))
                v = a
                if o1 || o2 { overflow = true; break }
            }
            if !overflow { return .integer(v) }
        }
        if !isHex, let v = Double(String(decoding: s, as: UTF8.self)) { return .float(v) }
        // Hexadecimal floats (and decimal ones Double(String) refuses): digits times a power of the base.
        let base: Double = isHex ? 16 : 10
        var v = 0.0
        for d in mantissaDigits { v = v * base + Double(d) }
        var scale = -fractionDigits * (isHex ? 4 : 1) + (exponent ?? 0)
        scale = max(-5000, min(5000, scale))
        if isHex {
            v *= Double(sign: .plus, exponent: scale, significand: 1)
        } else {
            var p = 1.0
            for _ in 0..<abs(scale) { p *= 10 }
            v = scale < 0 ? v / p : v * p
        }
        return .float(v)
    }
}
