/// Why a source text is not Lua 5.4, with the position Lua would blame; the lexer and parser
/// throw it as a typed error so that callers can turn it into one diagnostic.
struct LuaSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    var position: LuaPosition
    /// Worded like Lua's own messages: `'end' expected (to close 'function' at line 3) near <eof>`.
    var message: String

    var description: String { "\(position.line):\(position.column): \(message)" }
}
