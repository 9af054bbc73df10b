/// An expression with the position of its first token (a call's position is its callee's).
struct LuaExpression: Sendable {
    /// The forms of Lua 5.4 expressions; a call's arguments are normalised to a list whatever
    /// the syntax (`f(a)`, `f{...}`, `f"..."`).
    indirect enum Kind: Sendable {
        case nilLiteral, trueLiteral, falseLiteral, vararg
        case number(LuaNumber)
        case string(String)
        case function(LuaFunctionBody)
        case table([LuaTableField])
        case name(String)
        /// `object.field`
        case field(LuaExpression, LuaName)
        /// `object[key]`
        case index(LuaExpression, LuaExpression)
        case call(LuaExpression, [LuaExpression])
        /// `object:method(arguments)`
        case methodCall(LuaExpression, LuaName, [LuaExpression])
        /// `(expression)`, which truncates to one value and is not assignable.
        case parenthesized(LuaExpression)
        case unary(LuaUnaryOperator, LuaExpression)
        case binary(LuaBinaryOperator, LuaExpression, LuaExpression)
    }

    var kind: Kind
    var position: LuaPosition
    /// The depth of the tree below, bounded by the parser so that walking (and freeing) a
    /// chain such as `a.b.c...` or `1+1+...` cannot exhaust the stack.
    var height: Int

    init(_ kind: Kind, at position: LuaPosition, children: [LuaExpression] = []) {
        self.kind = kind
        self.position = position
        self.height = 1 + (children.map(\.height).max() ?? 0)
    }

    /// The string a key expression spells, for `t["key"]`.
    var stringValue: String? {
        if case .string(let s) = kind { return s }
        return nil
    }
}
