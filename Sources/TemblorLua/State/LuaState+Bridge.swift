// Invariants of this file (the Value bridge, DESIGN §4):
// - Swift -> Lua never calls a Lua function that can raise from a Swift frame: the value is
//   flattened into a tape and built by the C function `temblor_lua_push_tape` under lua_pcall.
// - Lua -> Swift only reads: it never converts a value in place (`lua_tolstring` is used on
//   strings only) and grows the stack with `lua_checkstack`, which reports failure instead of
//   raising; `lua_next` is only given keys it returned itself.
// - Every method leaves the Lua stack as it found it, except `push`, which adds exactly one value.
import CLua
import TemblorValue

extension LuaState {
    /// Pushes `value` onto the Lua stack with the fixed mapping: null is `temblor.null`, arrays
    /// and objects are tables with the array and object metatables, bytes and unsigned
    /// integers above `Int64.max` are userdata that come back as themselves.
    public func push(_ value: Value) throws(LuaError) {
        var tape: [temblor_lua_item] = []
        var strings: [UInt8] = []
        Self.flatten(value, into: &tape, strings: &strings)
        strings.append(0)  // never empty, so the buffer always has an address
        let status: Int32 = tape.withUnsafeBufferPointer { items in
            strings.withUnsafeBufferPointer { bytes in
                temblor_lua_push_cfunction(state, temblor_lua_push_tape)
                lua_pushlightuserdata(state, UnsafeMutableRawPointer(mutating: items.baseAddress))
                lua_pushlightuserdata(state, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                return temblor_lua_pcall(state, 2, 1, 0)
            }
        }
        guard status == LUA_OK else {
            let message = temblor_lua_tostring(state, -1).map { String(cString: $0) } ?? "cannot build the value"
            temblor_lua_pop(state, 1)
            throw status == LUA_ERRMEM ? .outOfMemory(during: "passing a value to Lua") : .runtime(message)
        }
    }

    private static func flatten(_ value: Value, into tape: inout [temblor_lua_item], strings: inout [UInt8]) {
        var item = temblor_lua_item()
        switch value {
        case .null: item.kind = Int32(TEMBLOR_ITEM_NULL)
        case .bool(let b): item.kind = Int32(b ? TEMBLOR_ITEM_TRUE : TEMBLOR_ITEM_FALSE)
        case .int(let i):
            item.kind = Int32(TEMBLOR_ITEM_INT)
            item.integer = i
        case .uint(let u):
            item.kind = Int32(TEMBLOR_ITEM_UINT)
            item.integer = Int64(bitPattern: u)
        case .float(let f):
            item.kind = Int32(TEMBLOR_ITEM_FLOAT)
            item.number = f
        case .string(let s):
            item.kind = Int32(TEMBLOR_ITEM_STRING)
            item.offset = strings.count
            strings.append(contentsOf: s.utf8)
            item.length = strings.count - item.offset
        case .bytes(let b):
            item.kind = Int32(TEMBLOR_ITEM_BYTES)
            item.offset = strings.count
            strings.append(contentsOf: b)
            item.length = b.count
        case .array(let elements):
            item.kind = Int32(TEMBLOR_ITEM_ARRAY)
            item.integer = Int64(elements.count)
            tape.append(item)
            for element in elements { flatten(element, into: &tape, strings: &strings) }
            return
        case .object(let object):
            item.kind = Int32(TEMBLOR_ITEM_OBJECT)
            item.integer = Int64(object.count)
            tape.append(item)
            for (key, element) in object {
                flatten(.string(key), into: &tape, strings: &strings)
                flatten(element, into: &tape, strings: &strings)
            }
            return
        }
        tape.append(item)
    }

    /// The value at `index` of the Lua stack, read with the fixed mapping. A table without a
    /// bridge metatable is an array when its keys are exactly 1...n (so an empty one too), else
    /// an object; Lua strings that are not UTF-8 become bytes; functions, threads and other
    /// userdata cannot be converted.
    public func value(at index: Int32) throws(LuaError) -> Value {
        try read(lua_absindex(state, index), depth: 0)
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

    private func read(_ index: Int32, depth: Int) throws(LuaError) -> Value {
        guard depth < Self.maxDepth, lua_checkstack(state, 4) != 0 else {
            throw .conversion("value nested deeper than \(Self.maxDepth) levels")
        }
        switch lua_type(state, index) {
        case LUA_TNIL:
            return .null
        case LUA_TBOOLEAN:
            return .bool(lua_toboolean(state, index) != 0)
        case LUA_TNUMBER:
            if temblor_lua_is_integer(state, index) != 0 { return .int(lua_tointegerx(state, index, nil)) }
            return .float(lua_tonumberx(state, index, nil))
        case LUA_TSTRING:
            return Self.text(readString(index))
        case LUA_TUSERDATA:
            let size = Int(lua_rawlen(state, index))
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
                return .array(try readArray(index, depth: depth))
            }
            if isMetatable(String(cString: temblor_lua_object_meta), ofValueAt: index) {
                return .object(try readObject(index, depth: depth))
            }
            return isSequence(index) ? .array(try readArray(index, depth: depth)) : .object(try readObject(index, depth: depth))
        default:
            let type = String(cString: lua_typename(state, lua_type(state, index)))
            throw .conversion("cannot convert a \(type) to a value")
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

    private func readArray(_ index: Int32, depth: Int) throws(LuaError) -> [Value] {
        let count = Int(lua_rawlen(state, index))
        var array: [Value] = []
        array.reserveCapacity(count)
        for i in 0..<count {
            lua_rawgeti(state, index, lua_Integer(i + 1))
            defer { temblor_lua_pop(state, 1) }
            array.append(try read(lua_gettop(state), depth: depth + 1))
        }
        return array
    }

    private func readObject(_ index: Int32, depth: Int) throws(LuaError) -> Object {
        var object = Object()
        lua_pushnil(state)
        while lua_next(state, index) != 0 {
            let key: String
            switch lua_type(state, -2) {
            case LUA_TSTRING:
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
                value = try read(lua_gettop(state), depth: depth + 1)
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
