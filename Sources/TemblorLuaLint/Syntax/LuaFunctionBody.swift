/// Parameters and body of a function, shared by function expressions and statements.
struct LuaFunctionBody: Sendable {
    var parameters: [LuaName]
    var isVararg: Bool
    var body: LuaBlock
    /// Where the `function` keyword is.
    var position: LuaPosition
}
