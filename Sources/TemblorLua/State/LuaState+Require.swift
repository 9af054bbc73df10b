// Invariants of this file: the roots are handed to C under lua_pcall (building the registry
// table may fail for memory); no Lua error can unwind a Swift frame here.
#if canImport(Glibc)
import Glibc
#endif
import CLua

extension LuaState {
    /// Lets scripts `require` modules from these directories only, in order (the plugin's own
    /// directory first, then Temblor's `lua/`); each module is loaded once per state.
    public func allowRequire(from roots: [String]) throws(LuaError) {
        var pointers: [UnsafeMutablePointer<CChar>?] = roots.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        let status: Int32 = pointers.withUnsafeMutableBufferPointer { buffer in
            temblor_lua_push_cfunction(state, temblor_lua_install_require)
            lua_pushlightuserdata(state, UnsafeMutableRawPointer(buffer.baseAddress))
            lua_pushinteger(state, lua_Integer(buffer.count))
            return temblor_lua_pcall(state, 2, 0, 0)
        }
        guard status == LUA_OK else {
            temblor_lua_pop(state, 1)
            throw .outOfMemory(during: "setting up require")
        }
    }
}
