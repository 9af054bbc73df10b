import Testing
import TemblorLua

/// Attempts to leave the sandbox fail with a clear error, and the state stays usable.
@Suite struct LuaSandboxTests {
    @Test func binaryChunksCannotBeLoadedFromScripts() throws {
        let lua = try LuaState()
        #expect(throws: LuaError.runtime("escape.lua:1: load: binary chunks are not allowed in a plugin (mode must be 't')")) {
            try lua.run("local f = load('\\27Lua', 'x', 'b') return f", name: "escape.lua")
        }
        #expect(try lua.run("local f = load('\\27Lua') return f == nil", name: "probe") == "true")
        #expect(try lua.run("return load('return 1 + 1')()", name: "text") == "2")
    }

    @Test func theCollectorCannotBeReconfigured() throws {
        let lua = try LuaState()
        #expect(throws: LuaError.runtime("gc.lua:1: collectgarbage('stop') is not allowed in a plugin")) {
            try lua.run("collectgarbage('stop')", name: "gc.lua")
        }
        #expect(try lua.run("return type(collectgarbage('count'))", name: "count") == "number")
    }

    @Test func osOffersTheClockAndTheCalendarOnly() throws {
        let lua = try LuaState()
        #expect(try lua.run("return math.type(os.time()) == 'integer' and type(os.clock()) == 'number'", name: "clock") == "true")
        #expect(try lua.run("return os.date('!%Y-%m-%d', 0)", name: "date") == "1970-01-01")
        #expect(throws: LuaError.runtime("os.lua:1: attempt to call a nil value (field 'execute')")) {
            try lua.run("os.execute('true')", name: "os.lua")
        }
        #expect(try lua.run("return os.exit == nil and os.getenv == nil and os.remove == nil and io == nil", name: "rest") == "true")
    }

    @Test func stringRepIsBounded() throws {
        let lua = try LuaState()
        #expect(throws: LuaError.runtime("rep.lua:1: string.rep: result of 1000000000 bytes is over the limit of 16777216")) {
            try lua.run("local s = ('x'):rep(1e9) return s", name: "rep.lua")
        }
        #expect(try lua.run("return #string.rep('ab', 3, ',')", name: "ok") == "8")
    }

    @Test func theStringMetatableIsProtected() throws {
        let lua = try LuaState()
        #expect(try lua.run("return getmetatable('')", name: "peek") == "protected")
        #expect(try lua.run("return ('abc'):upper()", name: "methods") == "ABC")
    }
}
