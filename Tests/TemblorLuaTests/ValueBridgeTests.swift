import Testing
import TemblorLua
import TemblorTestSupport
import TemblorValue

@Suite struct ValueBridgeTests {
    @Test func valueToLuaToValueIsTheIdentity() throws {
        let lua = try LuaState(memoryLimit: 64 << 20)
        try lua.run("function same(v) return v end", name: "same")
        var generator = ValueGenerator(seed: 0xB41D_6E)
        for _ in 0..<2000 {
            let value = generator.value()
            let back = try lua.call("same", with: value)
            #expect(back == value, "\(value) came back as \(back)")
        }
        #expect(lua.memoryInUse < 64 << 20)
    }

    @Test func theMappingIsTheDocumentedOne() throws {
        let lua = try LuaState()
        try lua.run(LuaKinds.function, name: "kinds")
        let value: Value = ["n": nil, "b": true, "i": 1, "f": 1.0, "s": "x", "a": [], "o": [:], "y": .bytes([1]), "u": .uint(UInt64.max)]
        let kinds = try lua.call("kinds", with: value)
        #expect(kinds == [
            "n": "table:temblor.null", "b": "boolean", "i": "number:integer", "f": "number:float", "s": "string:protected",
            "a": "table:temblor.array", "o": "table:temblor.object", "y": "userdata:temblor.bytes", "u": "userdata:temblor.uint",
        ])
    }

    @Test func tablesBuiltByScriptsFollowTheSequenceRule() throws {
        let lua = try LuaState()
        try lua.run("""
            function build(_)
              return { list = {1, 2, 3}, map = {x = 1}, holes = {[1] = 1, [3] = 3}, empty = {}, mixed = {1, x = 2} }
            end
            """, name: "build")
        let built = try lua.call("build", with: nil)
        #expect(built["list"] == [1, 2, 3])
        #expect(built["map"] == ["x": 1])
        #expect(built["holes"] == ["1": 1, "3": 3])
        #expect(built["empty"] == [])
        #expect(built["mixed"] == ["1": 1, "x": 2])
    }

    @Test func valuesWithoutAValueFormAreRefusedWithTheReason() throws {
        let lua = try LuaState()
        try lua.run("function f(_) return { cb = function() end } end", name: "f")
        #expect(throws: LuaError.conversion("cannot convert a function to a value")) { try lua.call("f", with: nil) }
        try lua.run("function deep(_) local t = {} for i = 1, 500 do t = {t} end return t end", name: "deep")
        #expect(throws: LuaError.conversion("value nested deeper than 200 levels")) { try lua.call("deep", with: nil) }
        try lua.run("function raw(_) return '\\xff\\xfe' end", name: "raw")
        #expect(try lua.call("raw", with: nil) == .bytes([0xFF, 0xFE]))
    }

    @Test func passingAValueBiggerThanTheMemoryCapFailsCleanly() throws {
        let lua = try LuaState(memoryLimit: 1 << 20)
        try lua.run("function same(v) return v end", name: "same")
        let huge: Value = .array(Array(repeating: .string(String(repeating: "x", count: 1000)), count: 5000))
        #expect(throws: LuaError.outOfMemory(during: "passing a value to Lua")) { try lua.call("same", with: huge) }
        #expect(try lua.call("same", with: ["ok": true]) == ["ok": true])
    }
}
