/// A name as written at one place (a local, a parameter, a field after `.`), with the
/// position diagnostics about it point at.
struct LuaName: Sendable, Equatable {
    var name: String
    var position: LuaPosition
}
