// Invariants of this file, the only Swift code that calls the Lua C API so far:
// - A `LuaState` owns one `lua_State`, created with `LuaAllocator` as its allocator, and is used
//   by one task at a time (it is not Sendable); `deinit` closes the state before the allocator
//   context it points to is freed.
// - Lua errors are only ever raised inside `lua_pcall` or while loading a chunk, both called from
//   Swift in protected mode: no Lua error unwinds (longjmps) across a Swift frame. No Swift
//   function is registered into Lua here.
// - The Lua stack is left as it was found by every method: what is pushed is popped.
import CLua

/// One sandboxed Lua 5.4 state with a memory cap: the unit every Lua connector and operator runs in.
public final class LuaState {
    let state: OpaquePointer
    private let allocator: UnsafeMutablePointer<LuaAllocator>

    /// A fresh state with only the safe standard libraries (`base`, `string`, `table`, `math`,
    /// `utf8`, `coroutine`, and `os.time`, `os.clock`, `os.date` from `os`) and at most
    /// `memoryLimit` bytes of memory.
    public init(memoryLimit: Int = 32 << 20) throws(LuaError) {
        allocator = .allocate(capacity: 1)
        allocator.initialize(to: LuaAllocator(limit: memoryLimit))
        guard let created = lua_newstate(LuaAllocator.function, allocator) else {
            allocator.deallocate()
            throw .outOfMemory(during: "creating a state")
        }
        let state = created
        self.state = state
        // The extra space is not initialised by Lua: no host until a plugin sets one.
        temblor_lua_set_host(state, nil)
        // No host until a plugin sets one (Lua leaves this space as the allocator gave it).
        temblor_lua_set_host(state, nil)
        for (name, open) in Self.safeLibraries {
            luaL_requiref(state, name, open, 1)
            temblor_lua_pop(state, 1)
        }
        // Loaders of files and of binary chunks leave the sandbox: they are not offered.
        for name in ["dofile", "loadfile"] {
            lua_pushnil(state)
            lua_setglobal(state, name)
        }
        // Pattern functions the watchdog can stop, in place of Lua's own (CLua/pattern.h).
        temblor_lua_push_cfunction(state, temblor_lua_install_patterns)
        guard temblor_lua_pcall(state, 0, 0, 0) == LUA_OK else {
            lua_close(state)
            allocator.deallocate()
            throw .outOfMemory(during: "creating a state")
        }
        temblor_lua_push_cfunction(state, temblor_lua_install_bridge)
        guard temblor_lua_pcall(state, 0, 0, 0) == LUA_OK else {
            lua_close(state)
            allocator.deallocate()
            throw .outOfMemory(during: "creating a state")
        }
        try run(LuaSandbox.prelude, name: "sandbox")
    }

    /// Runs once the state is closed: frees what the state's C side pointed to.
    var afterClose: (() -> Void)?

    deinit {
        lua_close(state)
        afterClose?()
        allocator.deinitialize(count: 1)
        allocator.deallocate()
    }

    private static let safeLibraries: [(String, lua_CFunction)] = [
        ("_G", luaopen_base), ("string", luaopen_string), ("table", luaopen_table), ("math", luaopen_math),
        ("utf8", luaopen_utf8), ("coroutine", luaopen_coroutine), ("os", luaopen_os),
    ]

    /// Bytes the state uses now.
    public var memoryInUse: Int { Int(allocator.pointee.in_use) }

    /// The most bytes the state may use; past it, allocations fail with a Lua memory error.
    public var memoryLimit: Int { Int(allocator.pointee.limit) }

    /// Loads and runs `source` (text only: binary chunks are refused) and returns the first
    /// value it returns, rendered as text, or `nil` when it returns nothing. With an
    /// `instructionLimit`, running more Lua instructions than that fails the call.
    @discardableResult
    public func run(_ source: String, name: String, instructionLimit: Int = 0) throws(LuaError) -> String? {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        var source = source
        let status = source.withUTF8 { text in
            text.withMemoryRebound(to: CChar.self) { chars in
                luaL_loadbufferx(state, chars.baseAddress, chars.count, name.hasPrefix("@") ? name : "=" + name, "t")
            }
        }
        guard status == LUA_OK else { throw error(status: status, during: "loading \(name)") }
        temblor_lua_set_instruction_limit(state, Int32(clamping: instructionLimit))
        let callStatus = temblor_lua_pcall(state, 0, 1, 0)
        temblor_lua_set_instruction_limit(state, 0)
        guard callStatus == LUA_OK else { throw error(status: callStatus, during: "running \(name)") }
        guard lua_type(state, -1) != LUA_TNIL else { return nil }
        var length = 0
        guard let text = luaL_tolstring(state, -1, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// The error on top of the stack after a failed load or call, as a typed error.
    func error(status: Int32, during action: String, on thread: OpaquePointer? = nil) -> LuaError {
        let thread = thread ?? state
        // Only a string is read: lua_tolstring would convert a number in place, which may allocate.
        let message = lua_type(thread, -1) == LUA_TSTRING
            ? (temblor_lua_tostring(thread, -1).map { String(cString: $0) } ?? "") : "(error object is not a string)"
        if message.hasSuffix(String(cString: temblor_lua_instruction_limit_message)) {
            return .instructionLimit(during: action)
        }
        if message.hasSuffix(String(cString: temblor_lua_time_limit_message)) {
            return .timeLimit(during: action)
        }
        switch status {
        case LUA_ERRSYNTAX: return .syntax(message)
        case LUA_ERRMEM: return .outOfMemory(during: action)
        default: return .runtime(message)
        }
    }
}
