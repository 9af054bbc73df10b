/// Short strings with their escapes, and the long brackets of long strings and comments.
extension LuaLexer {
    /// At a `[`: the level (count of `=`) of a well-formed opening long bracket, -1 for a `[=`
    /// not followed by `[`, nil for a lone `[`.
    func longBracketLevel() -> Int? {
        var index = offset + 1
        var level = 0
        while byte(at: index) == UInt8(ascii: "=") {
            level += 1
            index += 1
        }
        if byte(at: index) == UInt8(ascii: "[") { return level }
        return level == 0 ? nil : -1
    }

    /// Reads a long string or comment from its opening bracket; a line break right after the
    /// opening bracket is not part of the value.
    mutating func readLongString(level: Int, start: LuaPosition, isComment: Bool) throws(LuaSyntaxError) -> String {
        offset += level + 2
        if let c = current, Self.isNewline(c) { skipNewline() }
        let contentStart = offset
        while let c = current {
            if c == UInt8(ascii: "]") {
                var index = offset + 1
                var count = 0
                while byte(at: index) == UInt8(ascii: "=") {
                    count += 1
                    index += 1
                }
                if count == level, byte(at: index) == UInt8(ascii: "]") {
                    let value = String(decoding: bytes[contentStart..<offset], as: UTF8.self)
                    offset = index + 1
                    return value
                }
                offset += 1
            } else if Self.isNewline(c) {
                skipNewline()
            } else {
                offset += 1
            }
        }
        let what = isComment ? "comment" : "string"
        throw LuaSyntaxError(position: position, message: "unfinished long \(what) (starting at line \(start.line)) near <eof>")
    }

    /// Reads a quoted string, decoding its escapes as Lua 5.4 does.
    mutating func readString(quote: UInt8) throws(LuaSyntaxError) -> String {
        offset += 1
        var value: [UInt8] = []
        var escapeStart = offset
        // Lua shows the string read so far, escapes decoded, then the escape that failed.
        func failure(_ message: String) -> LuaSyntaxError {
            let shown = [quote] + value + bytes[min(escapeStart, bytes.count)..<min(offset, bytes.count)]
            return LuaSyntaxError(position: position, message: "\(message) near '\(String(decoding: shown, as: UTF8.self))'")
        }
        while true {
            guard let c = current else {
                throw LuaSyntaxError(position: position, message: "unfinished string near <eof>")
            }
            if c == quote {
                offset += 1
                return String(decoding: value, as: UTF8.self)
            }
            escapeStart = offset
            if Self.isNewline(c) { throw failure("unfinished string") }
            guard c == UInt8(ascii: "\\") else {
                value.append(c)
                offset += 1
                continue
            }
            offset += 1
            guard let e = current else { throw LuaSyntaxError(position: position, message: "unfinished string near <eof>") }
            switch e {
            case UInt8(ascii: "a"): value.append(0x07); offset += 1
            case UInt8(ascii: "b"): value.append(0x08); offset += 1
            case UInt8(ascii: "f"): value.append(0x0C); offset += 1
            case UInt8(ascii: "n"): value.append(0x0A); offset += 1
            case UInt8(ascii: "r"): value.append(0x0D); offset += 1
            case UInt8(ascii: "t"): value.append(0x09); offset += 1
            case UInt8(ascii: "v"): value.append(0x0B); offset += 1
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): value.append(e); offset += 1
            case 0x0A, 0x0D:
                value.append(0x0A)
                skipNewline()
            case UInt8(ascii: "x"):
                offset += 1
                var v = 0
                for _ in 0..<2 {
                    guard let d = current.flatMap(Self.hexValue) else {
                        if current != nil { offset += 1 }
                        throw failure("hexadecimal digit expected")
                    }
                    v = v * 16 + d
                    offset += 1
                }
                value.append(UInt8(v))
            case UInt8(ascii: "z"):
                offset += 1
                while let s = current, Self.isSpace(s) {
                    if Self.isNewline(s) { skipNewline() } else { offset += 1 }
                }
            case UInt8(ascii: "u"):
                offset += 1
                guard current == UInt8(ascii: "{") else {
                    if current != nil { offset += 1 }
                    throw failure("missing '{'")
                }
                offset += 1
                guard var v = current.flatMap(Self.hexValue) else {
                    if current != nil { offset += 1 }
                    throw failure("hexadecimal digit expected")
                }
                offset += 1
                while let d = current.flatMap(Self.hexValue) {
                    v = v * 16 + d
                    offset += 1
                    if v > 0x7FFF_FFFF { throw failure("UTF-8 value too large") }
                }
                guard current == UInt8(ascii: "}") else {
                    if current != nil { offset += 1 }
                    throw failure("missing '}'")
                }
                offset += 1
                value.append(contentsOf: Self.utf8(v))
            case _ where Self.isDigit(e):
                var v = 0
                var count = 0
                while count < 3, let d = current, Self.isDigit(d) {
                    v = v * 10 + Int(d - UInt8(ascii: "0"))
                    offset += 1
                    count += 1
                }
                if v > 255 {
                    if current != nil { offset += 1 }
                    throw failure("decimal escape too large")
                }
                value.append(UInt8(v))
            default:
                offset += 1
                throw failure("invalid escape sequence")
            }
        }
    }

    /// The bytes Lua writes for `\u{v}`: UTF-8, extended to six bytes for values up to 2^31.
    static func utf8(_ v: Int) -> [UInt8] {
        if v < 0x80 { return [UInt8(v)] }
        var bytes: [UInt8] = []
        var rest = v
        var limit = 0x3F
        while rest > limit {
            bytes.append(UInt8(0x80 | (rest & 0x3F)))
            rest >>= 6
            limit >>= 1
        }
        bytes.append(UInt8((~limit << 1) & 0xFF) | UInt8(rest))
        return bytes.reversed()
    }
}
