/// A name declared by a `local` statement, with its Lua 5.4 attribute.
struct LuaLocalVariable: Sendable {
    /// `<const>` forbids assignments; `<close>` also calls `__close` when the scope ends.
    enum Attribute: String, Sendable {
        case const, close
    }

    var name: LuaName
    var attribute: Attribute?
}
