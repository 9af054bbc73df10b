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

    @Test func patternFunctionsBehaveAsLuasOwn() throws {
        // The sandbox's find, match, gmatch and gsub are the host's (stoppable) matcher: these are
        // Lua 5.4's documented results, which scripts rely on.
        let lua = try LuaState()
        let script = #"""
            local function same(got, ...) local want = table.pack(...)
              local g = table.pack(got())
              assert(g.n == want.n, ("got %d results, want %d"):format(g.n, want.n))
              for i = 1, want.n do assert(g[i] == want[i], ("result %d: got %s, want %s"):format(i, tostring(g[i]), tostring(want[i]))) end
            end
            same(function() return string.find("hello world", "o w") end, 5, 7)
            same(function() return string.find("hello", "l+") end, 3, 4)
            same(function() return string.find("a.b", ".", 1, true) end, 2, 2)
            same(function() return string.find("abc", "x") end, nil)
            same(function() return string.find("abc", "b", -1) end, nil)
            same(function() return string.match("key=value", "(%w+)=(%w+)") end, "key", "value")
            same(function() return string.match("  trim  ", "^%s*(.-)%s*$") end, "trim")
            same(function() return string.match("2024-01-02", "(%d+)-(%d+)-(%d+)") end, "2024", "01", "02")
            same(function() return string.match("f(a(b)c)d", "%b()") end, "(a(b)c)")
            same(function() return string.match("hello", "()ll()") end, 3, 5)
            same(function() return string.match('say "hi"', [[(["'])(.-)%1]]) end, '"', "hi")
            same(function() return string.gsub("hello world", "o", "0") end, "hell0 w0rld", 2)
            same(function() return string.gsub("abc", "%w", "%0%0") end, "aabbcc", 3)
            same(function() return string.gsub("hello", "", "-") end, "-h-e-l-l-o-", 6)
            same(function() return string.gsub("THE (quick) fox", "%f[%a]%a+", "X") end, "X (X) X", 3)
            same(function() return string.gsub("$name is $age", "%$(%w+)", { name = "ada", age = 36 }) end, "ada is 36", 2)
            same(function() return string.gsub("a b c", "%a", string.upper, 2) end, "A B c", 2)
            local words = {}
            for w in ("one two  three"):gmatch("%a+") do words[#words + 1] = w end
            assert(table.concat(words, ",") == "one,two,three")
            local pairs_ = {}
            for k, v in ("a=1, b=2"):gmatch("(%w+)=(%w+)") do pairs_[#pairs_ + 1] = k .. v end
            assert(table.concat(pairs_) == "a1b2")
            local ok, err = pcall(string.find, "a", "[a")
            assert(not ok and err:find("malformed pattern %(missing ']'%)"), err)
            ok, err = pcall(string.match, "a", "(a")
            assert(not ok and err:find("unfinished capture"), err)
            return "ok"
            """#
        #expect(try lua.run(script, name: "patterns.lua") == "ok")
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
