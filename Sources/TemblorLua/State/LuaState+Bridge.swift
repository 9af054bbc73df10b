// Invariants of this file (the Value bridge, DESIGN §4):
// - Swift -> Lua never calls a Lua function that can raise from a Swift frame: the value is
//   flattened into a tape and built by the C function `temblor_lua_push_tape` under lua_pcall.
// - Lua -> Swift only reads (see LuaStackReader.swift).
// - Every method leaves the Lua stack as it found it, except `push`, which adds exactly one value.
import CLua
import TemblorValue

extension LuaState {
    /// Pushes `value` onto the Lua stack with the fixed mapping: null is `temblor.null`, arrays
    /// and objects are tables with the array and object metatables, bytes and unsigned
    /// integers above `Int64.max` are userdata that come back as themselves.
    public func push(_ value: Value) throws(LuaError) {
        var tape = LuaTape()
        tape.append(value)
        let status: Int32 = tape.withPointers { items, strings in
            temblor_lua_push_cfunction(state, temblor_lua_push_tape)
            lua_pushlightuserdata(state, items)
            lua_pushlightuserdata(state, strings)
            return temblor_lua_pcall(state, 2, 1, 0)
        }
        guard status == LUA_OK else {
            let message = temblor_lua_tostring(state, -1).map { String(cString: $0) } ?? "cannot build the value"
            temblor_lua_pop(state, 1)
            throw status == LUA_ERRMEM ? .outOfMemory(during: "passing a value to Lua") : .runtime(message)
        }
    }

    /// The value at `index` of the Lua stack, read with the fixed mapping. A table without a
    /// bridge metatable is an array when its keys are exactly 1...n (so an empty one too), else
    /// an object; Lua strings that are not UTF-8 become bytes; functions, threads and other
    /// userdata cannot be converted.
    public func value(at index: Int32) throws(LuaError) -> Value {
        try LuaStackReader(state: state).value(at: index)
    }

    /// Calls the global function `name` with `argument` and returns its first result.
    public func call(_ name: String, with argument: Value, instructionLimit: Int = 0) throws(LuaError) -> Value {
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        guard lua_getglobal(state, name) == LUA_TFUNCTION else {
            throw .runtime("no function '\(name)'")
        }
        try push(argument)
        temblor_lua_set_instruction_limit(state, Int32(clamping: instructionLimit))
        let status = temblor_lua_pcall(state, 1, 1, 0)
        temblor_lua_set_instruction_limit(state, 0)
        guard status == LUA_OK else { throw error(status: status, during: "calling \(name)") }
        return try value(at: -1)
    }
}
