/// A statement with the position of its first token.
struct LuaStatement: Sendable {
    /// An `if` or `elseif` condition with the block it guards.
    struct Branch: Sendable {
        var condition: LuaExpression
        var block: LuaBlock
    }

    /// The statements of Lua 5.4 (`;` is dropped by the parser).
    enum Kind: Sendable {
        /// `targets = values`; each target is a name, a field or an index.
        case assignment([LuaExpression], [LuaExpression])
        case call(LuaExpression)
        case local([LuaLocalVariable], [LuaExpression])
        case localFunction(LuaName, LuaFunctionBody)
        case function(LuaFunctionName, LuaFunctionBody)
        case doBlock(LuaBlock)
        case whileLoop(LuaExpression, LuaBlock)
        /// The condition is inside the body's scope.
        case repeatLoop(LuaBlock, LuaExpression)
        case ifStatement([Branch], LuaBlock?)
        case numericFor(LuaName, LuaExpression, LuaExpression, LuaExpression?, LuaBlock)
        case genericFor([LuaName], [LuaExpression], LuaBlock)
        case returnStatement([LuaExpression])
        case breakStatement
        case gotoStatement(LuaName)
        case label(LuaName)
    }

    var kind: Kind
    var position: LuaPosition
}
