/// One entry of a table constructor `{ ... }`.
enum LuaTableField: Sendable {
    /// `name = value`
    case named(LuaName, LuaExpression)
    /// `[key] = value`
    case keyed(LuaExpression, LuaExpression)
    /// A positional `value`.
    case positional(LuaExpression)
}
