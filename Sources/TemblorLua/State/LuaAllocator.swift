// Invariants of this file: the allocation function itself is C (`temblor_lua_alloc` in the
// CLua shim, which never raises a Lua error: a refusal returns NULL, and Lua turns it into a
// memory error inside its own protected call). `LuaAllocator` only names its counters, which
// `LuaState` allocates before the state and frees after `lua_close`.
import CLua

/// A state's byte counters: the most it may hold, and what it holds now.
typealias LuaAllocator = temblor_lua_allocator

extension LuaAllocator {
    init(limit: Int) {
        self.init(limit: Int64(limit), in_use: 0)
    }

    /// Lua's allocation callback for every Temblor state.
    static var function: lua_Alloc { temblor_lua_alloc }
}
