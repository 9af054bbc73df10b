/// Splits Lua 5.4 source bytes into tokens, tracking the line and byte column of each; it never
/// traps, whatever the bytes, and reports the first malformed token as a `LuaSyntaxError`.
struct LuaLexer: Sendable {
    let bytes: [UInt8]
    var offset = 0
    var line = 1
    /// The offset of the current line's first byte, from which columns are counted.
    var lineStart = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // A first line starting with '#' (`#!/usr/bin/env lua`) is skipped, as luaL_loadfile does.
        if bytes.first == UInt8(ascii: "#") {
            while offset < bytes.count, !Self.isNewline(bytes[offset]) { offset += 1 }
        }
    }

    /// Every token up to the end of the input; on a lexical error, the tokens before it followed
    /// by an `.invalid` token, and the error.
    static func tokenize(_ bytes: [UInt8]) -> (tokens: [LuaToken], failure: LuaSyntaxError?) {
        var lexer = LuaLexer(bytes: bytes)
        var tokens: [LuaToken] = []
        while true {
            do {
                let token = try lexer.next()
                tokens.append(token)
                if token.kind == .eof { return (tokens, nil) }
            } catch {
                tokens.append(LuaToken(kind: .invalid, text: "", position: error.position))
                return (tokens, error)
            }
        }
    }

    var position: LuaPosition { LuaPosition(line: line, column: offset - lineStart + 1) }

    func byte(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }
    var current: UInt8? { byte(at: offset) }

    func text(from start: Int) -> String { String(decoding: bytes[start..<min(offset, bytes.count)], as: UTF8.self) }

    /// Consumes one line break: `\n`, `\r`, `\r\n` or `\n\r`, which Lua counts as one line each.
    mutating func skipNewline() {
        let first = bytes[offset]
        offset += 1
        if let next = current, Self.isNewline(next), next != first { offset += 1 }
        line += 1
        lineStart = offset
    }

    /// The next token, skipping blanks and comments.
    mutating func next() throws(LuaSyntaxError) -> LuaToken {
        while let c = current {
            switch c {
            case 0x0A, 0x0D: skipNewline()
            case 0x20, 0x09, 0x0B, 0x0C: offset += 1
            case UInt8(ascii: "-") where byte(at: offset + 1) == UInt8(ascii: "-"):
                try skipComment()
            default:
                return try token(startingWith: c)
            }
        }
        return LuaToken(kind: .eof, text: "<eof>", position: position)
    }

    private mutating func skipComment() throws(LuaSyntaxError) {
        let start = position
        offset += 2
        if current == UInt8(ascii: "["), let level = longBracketLevel(), level >= 0 {
            _ = try readLongString(level: level, start: start, isComment: true)
            return
        }
        while let c = current, !Self.isNewline(c) { offset += 1 }
    }

    private mutating func token(startingWith c: UInt8) throws(LuaSyntaxError) -> LuaToken {
        let start = offset
        let startPosition = position
        func make(_ kind: LuaToken.Kind) -> LuaToken {
            LuaToken(kind: kind, text: String(decoding: bytes[start..<offset], as: UTF8.self), position: startPosition)
        }
        func symbol(_ symbol: LuaSymbol, length: Int) -> LuaToken {
            offset += length
            return make(.symbol(symbol))
        }
        let next = byte(at: offset + 1)
        switch c {
        case _ where Self.isNameStart(c):
            while let b = current, Self.isNameByte(b) { offset += 1 }
            let name = String(decoding: bytes[start..<offset], as: UTF8.self)
            if let keyword = LuaKeyword.byText[name] { return make(.keyword(keyword)) }
            return make(.name(name))
        case _ where Self.isDigit(c), UInt8(ascii: ".") where next.map(Self.isDigit) == true:
            return make(.number(try readNumeral()))
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            // Lua shows a string token with its escapes decoded.
            let value = try readString(quote: c)
            let quote = String(Unicode.Scalar(c))
            return LuaToken(kind: .string(value), text: quote + value + quote, position: startPosition)
        case UInt8(ascii: "["):
            guard let level = longBracketLevel() else { return symbol(.openBracket, length: 1) }
            guard level >= 0 else {
                offset += 1
                while current == UInt8(ascii: "=") { offset += 1 }
                throw LuaSyntaxError(position: startPosition, message: "invalid long string delimiter near '\(text(from: start))'")
            }
            let value = try readLongString(level: level, start: startPosition, isComment: false)
            let equals = String(repeating: "=", count: level)
            return LuaToken(kind: .string(value), text: "[\(equals)[\(value)]\(equals)]", position: startPosition)
        case UInt8(ascii: "+"): return symbol(.plus, length: 1)
        case UInt8(ascii: "-"): return symbol(.minus, length: 1)
        case UInt8(ascii: "*"): return symbol(.star, length: 1)
        case UInt8(ascii: "/"): return next == UInt8(ascii: "/") ? symbol(.doubleSlash, length: 2) : symbol(.slash, length: 1)
        case UInt8(ascii: "%"): return symbol(.percent, length: 1)
        case UInt8(ascii: "^"): return symbol(.caret, length: 1)
        case UInt8(ascii: "#"): return symbol(.hash, length: 1)
        case UInt8(ascii: "&"): return symbol(.ampersand, length: 1)
        case UInt8(ascii: "~"): return next == UInt8(ascii: "=") ? symbol(.notEqual, length: 2) : symbol(.tilde, length: 1)
        case UInt8(ascii: "|"): return symbol(.pipe, length: 1)
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "<") { return symbol(.shiftLeft, length: 2) }
            return next == UInt8(ascii: "=") ? symbol(.lessEqual, length: 2) : symbol(.less, length: 1)
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: ">") { return symbol(.shiftRight, length: 2) }
            return next == UInt8(ascii: "=") ? symbol(.greaterEqual, length: 2) : symbol(.greater, length: 1)
        case UInt8(ascii: "="): return next == UInt8(ascii: "=") ? symbol(.equal, length: 2) : symbol(.assign, length: 1)
        case UInt8(ascii: "("): return symbol(.openParen, length: 1)
        case UInt8(ascii: ")"): return symbol(.closeParen, length: 1)
        case UInt8(ascii: "{"): return symbol(.openBrace, length: 1)
        case UInt8(ascii: "}"): return symbol(.closeBrace, length: 1)
        case UInt8(ascii: "]"): return symbol(.closeBracket, length: 1)
        case UInt8(ascii: ";"): return symbol(.semicolon, length: 1)
        case UInt8(ascii: ","): return symbol(.comma, length: 1)
        case UInt8(ascii: ":"): return next == UInt8(ascii: ":") ? symbol(.doubleColon, length: 2) : symbol(.colon, length: 1)
        case UInt8(ascii: "."):
            if next == UInt8(ascii: ".") {
                return byte(at: offset + 2) == UInt8(ascii: ".") ? symbol(.ellipsis, length: 3) : symbol(.concat, length: 2)
            }
            return symbol(.dot, length: 1)
        default:
            offset += 1
            return make(.other(c))
        }
    }

    static func isNewline(_ c: UInt8) -> Bool { c == 0x0A || c == 0x0D }
    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    static func isHexDigit(_ c: UInt8) -> Bool { hexValue(c) != nil }
    static func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_")
    }
    static func isNameByte(_ c: UInt8) -> Bool { isNameStart(c) || isDigit(c) }
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }
    static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(c - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
