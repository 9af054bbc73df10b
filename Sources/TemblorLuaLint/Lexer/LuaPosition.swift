/// Where a token starts in the source: 1-based line, and 1-based column counted in bytes from
/// the line's start, the unit that `file:line:column` readers expect.
struct LuaPosition: Sendable, Hashable, Comparable {
    var line: Int
    var column: Int

    static func < (lhs: LuaPosition, rhs: LuaPosition) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
