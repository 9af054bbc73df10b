/// Lua's prefix operators: `not`, `-`, `#` and bitwise `~`.
enum LuaUnaryOperator: Sendable, Equatable {
    case not, negate, length, bitwiseNot

    /// How tightly a prefix operator binds its operand: above every binary operator but `^`.
    static let priority = 12
}
