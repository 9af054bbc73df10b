/// One lexical unit with the position of its first byte, which every diagnostic points at.
struct LuaToken: Sendable, Equatable {
    /// What the token is, with its decoded value for names, strings and numerals.
    enum Kind: Sendable, Equatable {
        case name(String)
        /// A string literal's value after escapes (bytes that are not UTF-8 become U+FFFD).
        case string(String)
        case number(LuaNumber)
        case keyword(LuaKeyword)
        case symbol(LuaSymbol)
        /// A byte no token starts with (`@`, `$`, a non-ASCII byte): Lua leaves it to the parser,
        /// which calls it an unexpected symbol.
        case other(UInt8)
        case eof
        /// Where the lexer failed: the parser throws the lexer's error when it reaches it, so that
        /// an earlier syntax error is reported first, as Lua does.
        case invalid
    }

    var kind: Kind
    /// The token as written in the source, for `near '...'` in messages.
    var text: String
    var position: LuaPosition

    /// How Lua names the token in `near ...`: quoted text, `<eof>`, or `'<\NNN>'` for a control byte.
    var nearDescription: String {
        switch kind {
        case .eof, .invalid: return "<eof>"
        case .other(let byte):
            return byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "'<\\\(byte)>'"
        default:
            let shown = text.utf8.count > 60 ? String(decoding: text.utf8.prefix(60), as: UTF8.self) + "..." : text
            return "'\(shown)'"
        }
    }
}
