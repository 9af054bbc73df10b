// Invariants of this file (the Value bridge, Lua -> Swift, DESIGN §4):
// - It only reads: it never converts a value in place (`lua_tolstring` is used on strings only)
//   and grows the stack with `lua_checkstack`, which reports failure instead of raising;
//   `lua_next` is only given keys it returned itself. So it may run outside a protected call,
//   on any thread of the state (the main one or a coroutine), even inside a host call.
// - Every method leaves the Lua stack as it found it.
// - What it builds is bounded by the state's memory limit: a table or string that a script
//   refers to many times is copied each time, so a small state could describe a value of
//   exponential size (a table holding itself twice, 64 levels down).
import CLua
import TemblorValue

/// Reads Lua values of one Lua thread (the state's main thread or a coroutine) as `Value`s.
struct LuaStackReader {
    let state: OpaquePointer

    /// The value at `index`, read with the fixed mapping of DESIGN §4.
    func value(at index: Int32) throws(LuaError) -> Value {
        var budget = Self.budget(of: state)
        return try read(lua_absindex(state, index), depth: 0, budget: &budget)
    }

    /// How much one value read from a state may weigh, counting `elementCost` bytes per element
    /// and the bytes of its strings: twice the state's memory limit, which a value that shares
    /// nothing never reaches (each of its elements and bytes takes at least as much in Lua).
    static func budget(of state: OpaquePointer) -> Int {
        var context: UnsafeMutableRawPointer?
        _ = lua_getallocf(state, &context)
        guard let context else { return Int.max }
        return Int(context.assumingMemoryBound(to: LuaAllocator.self).pointee.limit).multipliedReportingOverflow(by: 2).partialValue
    }

    static let elementCost = 16

    private func spend(_ cost: Int, from budget: inout Int) throws(LuaError) {
        budget -= cost
        if budget < 0 {
            throw .conversion("the value is larger than twice the plugin's memory limit (a table or string repeated many times?)")
        }
    }

    /// The deepest nesting read back from Lua.
    static let maxDepth = 200

    private func isMetatable(_ name: String, ofValueAt index: Int32) -> Bool {
        guard lua_getmetatable(state, index) != 0 else { return false }
        lua_getfield(state, temblor_lua_registryindex, name)
        let same = lua_rawequal(state, -1, -2) != 0
        temblor_lua_pop(state, 2)
        return same
    }

    private func read(_ index: Int32, depth: Int, budget: inout Int) throws(LuaError) -> Value {
        guard depth < Self.maxDepth, lua_checkstack(state, 4) != 0 else {
            throw .conversion("value nested deeper than \(Self.maxDepth) levels")
        }
        try spend(Self.elementCost, from: &budget)
        switch lua_type(state, index) {
        case LUA_TNIL:
            return .null
        case LUA_TBOOLEAN:
            return .bool(lua_toboolean(state, index) != 0)
        case LUA_TNUMBER:
            if temblor_lua_is_integer(state, index) != 0 { return .int(lua_tointegerx(state, index, nil)) }
            return .float(lua_tonumberx(state, index, nil))
        case LUA_TSTRING:
            try spend(Int(lua_rawlen(state, index)), from: &budget)
            return Self.text(readString(index))
        case LUA_TUSERDATA:
            let size = Int(lua_rawlen(state, index))
            try spend(size, from: &budget)
            guard let block = lua_touserdata(state, index) else { throw .conversion("cannot convert a userdata") }
            if isMetatable(String(cString: temblor_lua_bytes_meta), ofValueAt: index) {
                return .bytes(Array(UnsafeRawBufferPointer(start: block, count: size)))
            }
            if isMetatable(String(cString: temblor_lua_uint_meta), ofValueAt: index), size == 8 {
                return .integer(block.loadUnaligned(as: UInt64.self))
            }
            throw .conversion("cannot convert a userdata that is not temblor.bytes")
        case LUA_TTABLE:
            lua_getfield(state, temblor_lua_registryindex, temblor_lua_null_key)
            let isNull = lua_rawequal(state, index, -1) != 0
            temblor_lua_pop(state, 1)
            if isNull { return .null }
            if isMetatable(String(cString: temblor_lua_array_meta), ofValueAt: index) {
                return .array(try readArray(index, depth: depth, budget: &budget))
            }
            if isMetatable(String(cString: temblor_lua_object_meta), ofValueAt: index) {
                return .object(try readObject(index, depth: depth, budget: &budget))
            }
            return isSequence(index)
                ? .array(try readArray(index, depth: depth, budget: &budget))
                : .object(try readObject(index, depth: depth, budget: &budget))
        default:
            let type = String(cString: lua_typename(state, lua_type(state, index)))
            throw .conversion("cannot convert a \(type) to a value")
        }
    }

    /// The bytes of a string or of a `temblor.bytes` at `index`, as they are (no UTF-8 check);
    /// `nil` for anything else.
    func bytes(at index: Int32) -> [UInt8]? {
        switch lua_type(state, index) {
        case LUA_TSTRING:
            return readString(index)
        case LUA_TUSERDATA where isMetatable(String(cString: temblor_lua_bytes_meta), ofValueAt: index):
            guard let box = lua_touserdata(state, index) else { return [] }
            return Array(UnsafeRawBufferPointer(start: box, count: Int(lua_rawlen(state, index))))
        default:
            return nil
        }
    }

    private func readString(_ index: Int32) -> [UInt8] {
        var length = 0
        guard let text = lua_tolstring(state, index, &length) else { return [] }
        return Array(UnsafeRawBufferPointer(start: text, count: length))
    }

    /// UTF-8 becomes a string; anything else stays bytes, never silently mangled.
    private static func text(_ bytes: [UInt8]) -> Value {
        if let string = String(validating: bytes, as: UTF8.self) { return .string(string) }
        return .bytes(bytes)
    }

    private func readArray(_ index: Int32, depth: Int, budget: inout Int) throws(LuaError) -> [Value] {
        let count = Int(lua_rawlen(state, index))
        var array: [Value] = []
        array.reserveCapacity(count)
        for i in 0..<count {
            lua_rawgeti(state, index, lua_Integer(i + 1))
            defer { temblor_lua_pop(state, 1) }
            array.append(try read(lua_gettop(state), depth: depth + 1, budget: &budget))
        }
        return array
    }

    private func readObject(_ index: Int32, depth: Int, budget: inout Int) throws(LuaError) -> Object {
        var object = Object()
        lua_pushnil(state)
        while lua_next(state, index) != 0 {
            let key: String
            switch lua_type(state, -2) {
            case LUA_TSTRING:
                do {
                    try spend(Int(lua_rawlen(state, -2)), from: &budget)
                } catch {
                    temblor_lua_pop(state, 2)
                    throw error
                }
                guard case .string(let s) = Self.text(readString(-2)) else {
                    temblor_lua_pop(state, 2)
                    throw .conversion("object keys must be UTF-8 text")
                }
                key = s
            case LUA_TNUMBER:
                key = temblor_lua_is_integer(state, -2) != 0 ? String(lua_tointegerx(state, -2, nil)) : String(lua_tonumberx(state, -2, nil))
            default:
                temblor_lua_pop(state, 2)
                throw .conversion("object keys must be strings or numbers")
            }
            let value: Value
            do {
                value = try read(lua_gettop(state), depth: depth + 1, budget: &budget)
            } catch {
                temblor_lua_pop(state, 2)
                throw error
            }
            object[key] = value
            temblor_lua_pop(state, 1)  // keep the key for lua_next
        }
        return object
    }

    /// True when the table's keys are exactly 1...n.
    private func isSequence(_ index: Int32) -> Bool {
        let length = lua_rawlen(state, index)
        var keys: lua_Unsigned = 0
        lua_pushnil(state)
        while lua_next(state, index) != 0 {
            keys += 1
            let integerKey = lua_type(state, -2) == LUA_TNUMBER && temblor_lua_is_integer(state, -2) != 0
            let k = integerKey ? lua_tointegerx(state, -2, nil) : 0
            temblor_lua_pop(state, 1)
            if !integerKey || k < 1 || lua_Unsigned(k) > length {
                temblor_lua_pop(state, 1)
                return false
            }
        }
        return keys == length
    }
}
