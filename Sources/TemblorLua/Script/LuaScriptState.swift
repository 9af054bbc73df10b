// Invariants of this file (the state a test file runs in, CLua/script.h):
// - Every call into Lua is a lua_pcall of a C function, or a lua_resume of a coroutine made
//   here; both are protected, so no Lua error unwinds a Swift frame.
// - Values cross with the Value bridge only: pushed with `LuaState.push` (under lua_pcall) and
//   moved to a coroutine with lua_xmove, read back with LuaStackReader (reads only).
// - The host structure outlives the state: the state frees it once closed (`afterClose`).
// - Every method leaves the main thread's stack as it found it.
import CLua
import CLuaJSON
import TemblorValue

/// A sandboxed state for Lua code that drives plugins rather than being one: a test file of
/// `temblor test`. It has the `temblor` module without host I/O, `require` from given roots, and
/// runs the functions of the driver table the `temblor.test` module installs, as coroutines
/// that yield what they ask the host to do.
public final class LuaScriptState {
    let lua: LuaState
    private let host: UnsafeMutablePointer<temblor_lua_host>

    /// A fresh state that may use `memoryLimit` bytes and `require` modules from `roots`, in order.
    public init(memoryLimit: Int, requireRoots: [String]) throws(LuaError) {
        lua = try LuaState(memoryLimit: memoryLimit)
        host = .allocate(capacity: 1)
        host.initialize(to: temblor_lua_host())
        host.pointee.ctx_ref = LUA_NOREF
        host.pointee.on_event_ref = LUA_NOREF
        host.pointee.dispatch = temblor_lua_script_dispatch
        host.pointee.io_source = UnsafePointer(LuaHostIOModule.text.baseAddress)
        host.pointee.io_source_length = LuaHostIOModule.text.count
        host.pointee.json_decode = temblor_lua_json_decode
        temblor_lua_set_host(lua.state, host)
        lua.afterClose = { [host] in host.deallocate() }
        temblor_lua_push_cfunction(lua.state, temblor_lua_install_module)
        guard temblor_lua_pcall(lua.state, 0, 0, 0) == LUA_OK else {
            temblor_lua_pop(lua.state, 1)
            throw .outOfMemory(during: "installing the temblor module")
        }
        try lua.allowRequire(from: requireRoots)
    }

    /// Runs `source` as the file `name`: its errors read `name:line: ...`, a long name cut at
    /// its start (`...plugin/parser_test.lua:3: ...`) so that the file name stays.
    public func run(_ source: String, name: String) throws(LuaError) {
        try lua.run(source, name: "@" + name)
    }

    /// Calls the driver's function `name` with `arguments` and returns its results; it may not
    /// yield.
    public func call(_ name: String, _ arguments: [Value] = []) throws(LuaError) -> [Value] {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        try pushDriverFunction(name)
        guard lua_checkstack(state, Int32(arguments.count) + 4) != 0 else { throw .outOfMemory(during: "calling \(name)") }
        for argument in arguments { try lua.push(argument) }
        let status = temblor_lua_pcall(state, Int32(arguments.count), temblor_lua_multret, 0)
        guard status == LUA_OK else { throw lua.error(status: status, during: name) }
        return try values(on: state, from: top + 1)
    }

    /// Starts the driver's function `name` with `arguments` in a coroutine: it runs until it
    /// yields a request, returns or fails.
    public func start(_ name: String, _ arguments: [Value] = []) -> LuaScriptStep {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        temblor_lua_push_cfunction(state, temblor_lua_new_call_thread)
        guard temblor_lua_pcall(state, 0, 2, 0) == LUA_OK, let thread = lua_tothread(state, -2) else {
            return .failed(.outOfMemory(during: "starting \(name)"))
        }
        let coroutine = LuaScriptThread(thread: thread, reference: Int32(lua_tointegerx(state, -1, nil)))
        do throws(LuaError) {
            try pushDriverFunction(name)
            guard lua_checkstack(state, Int32(arguments.count) + 4) != 0, lua_checkstack(thread, Int32(arguments.count) + 8) != 0 else {
                throw .outOfMemory(during: "starting \(name)")
            }
            for argument in arguments { try lua.push(argument) }
        } catch {
            release(coroutine)
            return .failed(error)
        }
        lua_xmove(state, thread, Int32(arguments.count) + 1)
        return run(coroutine, arguments: Int32(arguments.count))
    }

    /// Resumes a coroutine that yielded, with `values` as what its `coroutine.yield` returns.
    public func resume(_ coroutine: LuaScriptThread, with values: [Value]) -> LuaScriptStep {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        guard lua_checkstack(state, Int32(values.count) + 4) != 0, lua_checkstack(coroutine.thread, Int32(values.count) + 8) != 0 else {
            release(coroutine)
            return .failed(.outOfMemory(during: "resuming the test"))
        }
        do throws(LuaError) {
            for value in values { try lua.push(value) }
        } catch {
            release(coroutine)
            return .failed(error)
        }
        lua_xmove(state, coroutine.thread, Int32(values.count))
        return run(coroutine, arguments: Int32(values.count))
    }

    private func run(_ coroutine: LuaScriptThread, arguments: Int32) -> LuaScriptStep {
        let thread = coroutine.thread
        var results: Int32 = 0
        let status = lua_resume(thread, lua.state, arguments, &results)
        switch status {
        case LUA_YIELD, LUA_OK:
            let read: [Value]
            do throws(LuaError) {
                read = try values(on: thread, from: lua_gettop(thread) - results + 1)
            } catch {
                release(coroutine)
                return .failed(error)
            }
            temblor_lua_pop(thread, results)
            if status == LUA_YIELD { return .yielded(coroutine, read) }
            release(coroutine)
            return .returned(read)
        default:
            let error = lua.error(status: status, during: "the test", on: thread)
            release(coroutine)
            return .failed(error)
        }
    }

    private func values(on thread: OpaquePointer, from first: Int32) throws(LuaError) -> [Value] {
        let reader = LuaStackReader(state: thread)
        let last = lua_gettop(thread)
        guard first <= last else { return [] }
        var read: [Value] = []
        for index in first...last {
            read.append(lua_type(thread, index) == LUA_TNIL ? .null : try reader.value(at: index))
        }
        return read
    }

    private func pushDriverFunction(_ name: String) throws(LuaError) {
        let state = lua.state
        let status: Int32 = name.withCString { pointer in
            temblor_lua_push_cfunction(state, temblor_lua_script_field)
            lua_pushlightuserdata(state, UnsafeMutableRawPointer(mutating: pointer))
            return temblor_lua_pcall(state, 1, 1, 0)
        }
        guard status == LUA_OK else {
            let failure = lua.error(status: status, during: "finding \(name)")
            temblor_lua_pop(state, 1)
            throw failure
        }
        guard lua_type(state, -1) == LUA_TFUNCTION else {
            temblor_lua_pop(state, 1)
            throw .runtime("the test module has no function \(name)")
        }
    }

    private func release(_ coroutine: LuaScriptThread) {
        luaL_unref(lua.state, temblor_lua_registryindex, coroutine.reference)
    }
}

/// A coroutine of a `LuaScriptState`, suspended where it yielded; only its state may resume it.
public final class LuaScriptThread {
    let thread: OpaquePointer
    let reference: Int32

    init(thread: OpaquePointer, reference: Int32) {
        self.thread = thread
        self.reference = reference
    }
}

/// Where a coroutine of a `LuaScriptState` stands.
public enum LuaScriptStep {
    /// It yielded these values (a request to the host); resume it with the answer.
    case yielded(LuaScriptThread, [Value])
    /// It returned these values.
    case returned([Value])
    /// It raised an error (an assertion that failed, say).
    case failed(LuaError)
}
