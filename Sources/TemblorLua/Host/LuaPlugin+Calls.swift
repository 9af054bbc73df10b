// Invariants of this file (callbacks of plugins granted host I/O, run in coroutines):
// - A callback's function and arguments are pushed on the main thread inside protected calls
//   (or are light userdata and integers, which do not allocate once the stack was checked),
//   then moved to the coroutine with lua_xmove; the coroutine is run with lua_resume, which is
//   protected. No Lua error unwinds a Swift frame.
// - Each resume runs with the instruction budget armed on the coroutine and is watched by the
//   wall-clock watchdog, exactly as a direct call; the time spent waiting on I/O is not counted.
// - A coroutine stays anchored in the registry while it may be resumed; a failed or abandoned
//   one is released without closing its pending variables (as the sandbox does for the script's
//   own coroutines: their closing code would run without limits).
import CLua
import TemblorValue

extension LuaPlugin {
    /// Finished coroutines kept for reuse.
    static let maxSpareCalls = 4

    /// Starts `hook(ctx, arguments...)` in a coroutine that may wait on host I/O.
    public func begin(_ hook: LuaHook, _ arguments: [Value] = []) -> LuaCallStep {
        guard has(hook) else { return .finished(LuaEventResult()) }
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        guard let call = makeCall(), lua_checkstack(state, Int32(arguments.count) + 4) != 0 else {
            return .failed(.outOfMemory(during: "calling \(hook)"))
        }
        call.action = hook.description
        temblor_lua_push_cfunction(state, temblor_lua_call_hook)
        lua_pushinteger(state, lua_Integer(hook.rawValue))
        do throws(LuaError) {
            for argument in arguments { try lua.push(argument) }
        } catch {
            release(call, reuse: true)
            return .failed(error)
        }
        return start(call, arguments: Int32(arguments.count) + 1)
    }

    /// Starts `on_event(ctx, event, meta)` in a coroutine that may wait on host I/O.
    public func beginEvent(_ payload: Value, meta: Value) -> LuaCallStep {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        guard let call = makeCall(), lua_checkstack(state, 8) != 0 else { return .failed(.outOfMemory(during: "calling on_event")) }
        call.action = "on_event"
        payloadTape.removeAll()
        payloadTape.append(payload)
        flattenMeta(host.pointee.on_event_takes_meta != 0 ? meta : .null)
        temblor_lua_push_cfunction(state, temblor_lua_deliver)
        // The tapes are read during the first resume, which `start` makes inside these closures.
        return payloadTape.withPointers { items, strings in
            metaTape.withPointers { metaItems, metaStrings in
                lua_pushlightuserdata(state, items)
                lua_pushlightuserdata(state, strings)
                lua_pushlightuserdata(state, metaItems)
                lua_pushlightuserdata(state, metaStrings)
                return start(call, arguments: 4)
            }
        }
    }

    /// Starts the function registered with `ctx:every` under `id` in a coroutine.
    public func beginTimer(_ id: Int) -> LuaCallStep {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        guard let call = makeCall(), lua_checkstack(state, 4) != 0 else { return .failed(.outOfMemory(during: "a ctx:every function")) }
        call.action = "a ctx:every function"
        temblor_lua_push_cfunction(state, temblor_lua_fire_timer)
        lua_pushinteger(state, lua_Integer(id))
        return start(call, arguments: 1)
    }

    /// Resumes a callback that waited on host I/O with the I/O's results.
    public func resume(_ call: LuaCall, with result: LuaIOResult) -> LuaCallStep {
        setIOResult(result)
        return run(call, arguments: 0)
    }

    /// Gives up a waiting callback (its state is being replaced or closed).
    public func abandon(_ call: LuaCall) {
        release(call, reuse: false)
    }

    // MARK: - Coroutines

    private func makeCall() -> LuaCall? {
        if let spare = spareCalls.popLast() { return spare }
        let state = lua.state
        temblor_lua_push_cfunction(state, temblor_lua_new_call_thread)
        guard temblor_lua_pcall(state, 0, 2, 0) == LUA_OK, let thread = lua_tothread(state, -2) else {
            temblor_lua_pop(state, 1)
            return nil
        }
        let reference = Int32(lua_tointegerx(state, -1, nil))
        temblor_lua_pop(state, 2)
        return LuaCall(thread: thread, reference: reference)
    }

    /// Moves the function and `arguments` on top of the main thread into the call's coroutine
    /// and runs it.
    private func start(_ call: LuaCall, arguments: Int32) -> LuaCallStep {
        guard lua_checkstack(call.thread, arguments + 8) != 0 else {
            release(call, reuse: false)
            return .failed(.outOfMemory(during: call.action))
        }
        lua_xmove(lua.state, call.thread, arguments + 1)
        return run(call, arguments: arguments)
    }

    private func run(_ call: LuaCall, arguments: Int32) -> LuaCallStep {
        let thread = call.thread
        hostThreads.insert(thread)
        let (status, results) = armedResume(thread, arguments: arguments)
        switch status {
        case LUA_YIELD:
            temblor_lua_pop(thread, results)
            if let request = pendingIO {
                pendingIO = nil
                return .waiting(call, request)
            }
            if let milliseconds = sleepRequest {
                sleepRequest = nil
                return .waiting(call, .sleep(milliseconds: milliseconds))
            }
            release(call, reuse: false)
            return .failed(.runtime("\(call.action) yielded to the host without waiting on anything (coroutine.yield outside a coroutine of its own?)"))
        case LUA_OK:
            var result = LuaEventResult()
            if results >= 2 {
                let reader = LuaStackReader(state: thread)
                if lua_type(thread, -2) != LUA_TNIL {
                    do throws(LuaError) {
                        result.value = try reader.value(at: -2)
                    } catch {
                        release(call, reuse: false)
                        return .failed(error)
                    }
                }
                if lua_type(thread, -1) == LUA_TSTRING, case .string(let port)? = try? reader.value(at: -1) { result.port = port }
            }
            release(call, reuse: true)
            return .finished(result)
        default:
            let error = lua.error(status: status, during: call.action, on: thread)
            release(call, reuse: false)
            return .failed(error)
        }
    }

    private func release(_ call: LuaCall, reuse: Bool) {
        hostThreads.remove(call.thread)
        if reuse && lua_status(call.thread) == LUA_OK && spareCalls.count < Self.maxSpareCalls {
            lua_settop(call.thread, 0)
            spareCalls.append(call)
        } else {
            luaL_unref(lua.state, temblor_lua_registryindex, call.reference)
        }
    }
}
