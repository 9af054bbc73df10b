/// The name of a `function a.b.c:m()` statement: a variable, fields of it, and an optional
/// method (which gives the function an implicit `self`).
struct LuaFunctionName: Sendable {
    var base: LuaName
    var fields: [LuaName]
    var method: LuaName?

    /// Whether the statement assigns the variable itself (`function helper()`), not a field.
    var isPlainName: Bool { fields.isEmpty && method == nil }
}
