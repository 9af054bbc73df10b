/// The operators and punctuation of Lua 5.4, each one token however many bytes it spells.
enum LuaSymbol: String, Sendable, Hashable {
    case plus = "+", minus = "-", star = "*", slash = "/", doubleSlash = "//", percent = "%", caret = "^"
    case hash = "#", ampersand = "&", tilde = "~", pipe = "|", shiftLeft = "<<", shiftRight = ">>"
    case equal = "==", notEqual = "~=", lessEqual = "<=", greaterEqual = ">=", less = "<", greater = ">"
    case assign = "=", openParen = "(", closeParen = ")", openBrace = "{", closeBrace = "}"
    case openBracket = "[", closeBracket = "]", doubleColon = "::", semicolon = ";", colon = ":"
    case comma = ",", dot = ".", concat = "..", ellipsis = "..."
}
