/// A numeral's value, integer or float as Lua 5.4 tells them apart (`1` is an integer, `1.0` and
/// `1e0` are floats), because a plugin's `api` must be an integer.
enum LuaNumber: Sendable, Hashable {
    case integer(Int64)
    case float(Double)
}
