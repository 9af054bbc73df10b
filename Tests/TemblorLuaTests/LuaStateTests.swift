import Testing
import TemblorLua

@Suite struct LuaStateTests {
    @Test func runsCodeAndReturnsItsResult() throws {
        let lua = try LuaState()
        #expect(try lua.run("return 6 * 7", name: "math") == "42")
        #expect(try lua.run("local t = {} for i = 1, 10 do t[i] = i end return #t", name: "table") == "10")
        #expect(try lua.run("x = 1", name: "global") == nil)
        #expect(try lua.run("return x + 1", name: "global") == "2")  // state persists between chunks
        #expect(try lua.run("return string.format('%s-%d', utf8.char(233), math.floor(2.5))", name: "libs") == "é-2")
    }

    @Test func syntaxAndRuntimeErrorsNameTheChunkAndLine() throws {
        let lua = try LuaState()
        #expect(throws: LuaError.syntax("plugin.lua:2: unexpected symbol near '='")) {
            try lua.run("local a = 1\n= 2", name: "plugin.lua")
        }
        #expect(throws: LuaError.runtime("plugin.lua:3: boom")) {
            try lua.run("local x = 1\nlocal y = 2\nerror('boom')", name: "plugin.lua")
        }
        #expect(try lua.run("return 'still usable'", name: "after") == "still usable")
    }

    @Test func unsafeLibrariesAndLoadersAreAbsent() throws {
        let lua = try LuaState()
        for name in ["io", "debug", "package", "require", "dofile", "loadfile", "os.execute", "os.exit", "os.getenv"] {
            #expect(try lua.run("return type(\(name))", name: "probe") == "nil", "\(name) is reachable")
        }
    }

    @Test func binaryChunksAreRefused() throws {
        let lua = try LuaState()
        #expect(throws: LuaError.self) { try lua.run("\u{1B}Lua\u{54}\u{00}", name: "bytecode") }
        do {
            try lua.run("\u{1B}Lua\u{54}\u{00}", name: "bytecode")
        } catch {
            #expect(error.description.contains("binary"), "\(error)")
        }
    }

    @Test func theMemoryCapRefusesAllocationsAndTheStateStaysUsable() throws {
        let lua = try LuaState(memoryLimit: 2 << 20)
        let baseline = lua.memoryInUse
        #expect(baseline > 0 && baseline < 256 << 10, "an idle state uses \(baseline) bytes")
        #expect(throws: LuaError.self) {
            try lua.run("local t = {} for i = 1, 10000000 do t[i] = string.rep('x', 100) .. i end", name: "bomb")
        }
        // The garbage of the failed callback is collectable and the state works again.
        #expect(try lua.run("collectgarbage() return 1 + 1", name: "after") == "2")
        #expect(lua.memoryInUse <= lua.memoryLimit)
        #expect(lua.memoryInUse < 1 << 20)
    }
}

@Suite struct LuaInstructionLimitTests {
    @Test func anEndlessLoopIsStoppedWithAClearError() throws {
        let lua = try LuaState()
        #expect(throws: LuaError.instructionLimit(during: "running loop.lua")) {
            try lua.run("while true do end", name: "loop.lua", instructionLimit: 100_000)
        }
        #expect(try lua.run("return 'usable'", name: "after", instructionLimit: 100_000) == "usable")
    }

    @Test func aScriptCannotSwallowTheLimitWithItsOwnPcall() throws {
        let lua = try LuaState()
        let sneaky = """
            local caught = 0
            while true do
              local ok = pcall(function() while true do end end)
              caught = caught + 1
            end
            """
        #expect(throws: LuaError.instructionLimit(during: "running sneaky.lua")) {
            try lua.run(sneaky, name: "sneaky.lua", instructionLimit: 50_000)
        }
    }

    @Test func workWithinTheBudgetRuns() throws {
        let lua = try LuaState()
        #expect(try lua.run("local s = 0 for i = 1, 1000 do s = s + i end return s", name: "sum", instructionLimit: 100_000) == "500500")
    }
}
