// Invariants of this file:
// - `function` is the `lua_Alloc` of every Temblor state; its `ud` is a pointer to the state's
//   `LuaAllocator`, which outlives the state (LuaState frees it after `lua_close`).
// - It never raises a Lua error: refusing an allocation returns NULL, and Lua turns that into a
//   memory error inside its own protected call, leaving the state usable.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLua

/// Counts a state's bytes and refuses allocations past its limit.
struct LuaAllocator {
    /// The most bytes the state may hold.
    var limit: Int
    /// Bytes held now.
    var inUse = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Lua's allocation callback: frees when `nsize` is 0, otherwise grows or shrinks `ptr`.
    static let function: lua_Alloc = { ud, ptr, osize, nsize in
        let allocator = ud!.assumingMemoryBound(to: LuaAllocator.self)
        // When `ptr` is NULL, `osize` encodes the kind of object, not a size.
        let oldSize = ptr == nil ? 0 : Int(osize)
        if nsize == 0 {
            free(ptr)
            allocator.pointee.inUse -= oldSize
            return nil
        }
        let growth = Int(nsize) - oldSize
        if growth > 0 && allocator.pointee.inUse + growth > allocator.pointee.limit {
            return nil
        }
        guard let block = realloc(ptr, Int(nsize)) else { return nil }
        allocator.pointee.inUse += growth
        return block
    }
}
