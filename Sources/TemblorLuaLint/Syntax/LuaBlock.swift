/// A sequence of statements with its own scope; a chunk is a block.
struct LuaBlock: Sendable {
    var statements: [LuaStatement]
}
