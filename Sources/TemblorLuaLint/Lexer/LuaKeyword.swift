/// Lua 5.4's reserved words, which can never be names.
enum LuaKeyword: String, Sendable, Hashable, CaseIterable {
    case and, `break`, `do`, `else`, elseif, end, `false`, `for`, function, goto, `if`, `in`, local, `nil`, not, or
    case `repeat`, `return`, then, `true`, until, `while`

    /// The keyword spelled by `text`, looked up once per name token.
    static let byText: [String: LuaKeyword] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}
