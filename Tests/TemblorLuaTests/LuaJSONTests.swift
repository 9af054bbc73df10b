import CLua
import Testing
import TemblorCodecs
import TemblorTestSupport
import TemblorValue

@testable import TemblorLua

/// Pushes `text` as JSON and reads the value back, leaving the stack as it was.
private func pushedJSON(_ lua: LuaState, _ text: String, padded: Bool = false) throws -> Value {
    let bytes = Array(text.utf8) + (padded ? [UInt8](repeating: 0, count: LuaState.jsonPadding) : [])
    try bytes.withUnsafeBytes { try lua.pushJSON(UnsafeRawBufferPointer(rebasing: $0[..<text.utf8.count]), padded: padded) }
    defer { temblor_lua_pop(lua.state, 1) }
    return try lua.value(at: -1)
}

/// The error `pushJSON` throws for `bytes`, checking that the stack is left as it was.
private func pushError(_ lua: LuaState, _ bytes: [UInt8]) -> LuaError? {
    let top = lua_gettop(lua.state)
    defer { #expect(lua_gettop(lua.state) == top, "the stack changed") }
    do {
        try bytes.withUnsafeBytes { try lua.pushJSON($0) }
    } catch let error as LuaError {
        return error
    } catch {
        Issue.record(error)
        return nil
    }
    temblor_lua_pop(lua.state, 1)
    return nil
}

/// The JSON codec's verdict on `bytes`, the reference the Lua decoder must agree with.
private func codecValue(_ bytes: [UInt8]) -> Value? {
    var codec = JSONCodec()
    return try? codec.decode(bytes)
}

@Suite struct LuaJSONTests {
    // MARK: Round trips

    @Test func generatedValuesDecodeAsTheJSONCodecDecodesThem() throws {
        let lua = try LuaState(memoryLimit: 64 << 20)
        var codec = JSONCodec()
        var generator = ValueGenerator(seed: 0x15_0B_1A, kinds: .init(bytes: false, nonFiniteFloats: false, maxDepth: 6))
        let top = lua_gettop(lua.state)
        for _ in 0..<4000 {
            let value = generator.value()
            let text = try codec.encode(value)
            let expected = try codec.decode(text)
            #expect(expected == value, "the codec itself does not round-trip \(value)")
            try text.withUnsafeBytes { try lua.pushJSON($0) }
            let back = try lua.value(at: -1)
            temblor_lua_pop(lua.state, 1)
            #expect(back == expected, "\(String(decoding: text, as: UTF8.self)) came back as \(back)")
        }
        #expect(lua_gettop(lua.state) == top)
    }

    @Test func paddedInputIsReadInPlaceWithTheSameResult() throws {
        let lua = try LuaState()
        let text = #"{"level":"error","n":[1,2.5,null,true],"s":"é"}"#
        #expect(try pushedJSON(lua, text, padded: true) == pushedJSON(lua, text))
        #expect(try pushedJSON(lua, text, padded: true) == ["level": "error", "n": [1, 2.5, nil, true], "s": "é"])
    }

    @Test func documentsOfEverySizeReuseTheParser() throws {
        let lua = try LuaState(memoryLimit: 256 << 20)
        // Growing, then shrinking: a reused parser must not show a previous document's tape.
        for count in [0, 1, 1000, 3, 100_000, 2, 0] {
            let text = "[" + (0..<count).map { #"{"k\#($0)":\#($0)}"# }.joined(separator: ",") + "]"
            let value = try pushedJSON(lua, text)
            #expect(value.arrayValue?.count == count)
            #expect(value.arrayValue?.last == (count > 0 ? ["k\(count - 1)": .int(Int64(count - 1))] : nil))
        }
    }

    @Test func aDocumentTooBigToKeepItsParserIsDecodedAndSoIsTheNext() throws {
        let lua = try LuaState(memoryLimit: 128 << 20)
        let big = String(repeating: "x", count: 17 << 20)
        #expect(try pushedJSON(lua, #"{"big":""# + big + #""}"#)["big"]?.stringValue?.utf8.count == 17 << 20)
        #expect(try pushedJSON(lua, #"{"after":[1,2]}"#) == ["after": [1, 2]])
    }

    @Test func pushingAddsExactlyOneValueAboveWhatIsThere() throws {
        let lua = try LuaState()
        try lua.push("below")
        try Array(#"{"a":1}"#.utf8).withUnsafeBytes { try lua.pushJSON($0) }
        #expect(lua_gettop(lua.state) == 2)
        #expect(try lua.value(at: -1) == ["a": 1])
        #expect(try lua.value(at: -2) == "below")
        temblor_lua_pop(lua.state, 2)
    }

    // MARK: The mapping

    @Test func theMappingIsTheValueBridges() throws {
        let lua = try LuaState()
        try lua.run(LuaKinds.function, name: "kinds")
        try lua.run("""
            function record(v) seen = kinds(v) end
            function keep(v) NULL = v end
            function isNull(v) nullSame = rawequal(v.n, NULL) and rawequal(v.a[1], NULL) end
            """, name: "kinds")
        let json = #"{"n":null,"b":true,"c":false,"i":1,"f":1.0,"s":"x","a":[],"o":{},"u":18446744073709551615,"m":9223372036854775807}"#
        try json.utf8.withContiguousStorageIfAvailable { try lua.call("record", withJSON: UnsafeRawBufferPointer($0)) }
        #expect(try lua.run("local r = {} for k, v in pairs(seen) do r[#r + 1] = k .. '=' .. v end table.sort(r) return table.concat(r, ' ')", name: "r")
            == "a=table:temblor.array b=boolean c=boolean f=number:float i=number:integer m=number:integer n=table:temblor.null "
            + "o=table:temblor.object s=string:protected u=userdata:temblor.uint")
        // JSON's null is the very sentinel the Value bridge pushes.
        _ = try lua.call("keep", with: .null)
        let nulls = #"{"n":null,"a":[null]}"#
        try nulls.utf8.withContiguousStorageIfAvailable { try lua.call("isNull", withJSON: UnsafeRawBufferPointer($0)) }
        #expect(try lua.run("return nullSame", name: "r") == "true")
    }

    @Test func emptyObjectsAndArraysKeepTheirKind() throws {
        let lua = try LuaState()
        #expect(try pushedJSON(lua, "{}") == .object(Object()))
        #expect(try pushedJSON(lua, "[]") == .array([]))
        #expect(try pushedJSON(lua, #"{"a":{},"b":[],"c":[{}],"d":[[]]}"#) == ["a": [:], "b": [], "c": [[:]], "d": [[]]])
    }

    @Test func numbersKeepTheirKind() throws {
        let lua = try LuaState()
        #expect(try pushedJSON(lua, "1.0") == .float(1.0))
        #expect(try pushedJSON(lua, "1") == .int(1))
        #expect(try pushedJSON(lua, "1e2") == .float(100))
        #expect(try pushedJSON(lua, "9223372036854775807") == .int(.max))
        #expect(try pushedJSON(lua, "-9223372036854775808") == .int(.min))
        #expect(try pushedJSON(lua, "9223372036854775808") == .uint(1 << 63))
        #expect(try pushedJSON(lua, "18446744073709551615") == .uint(.max))
        let negativeZero = try pushedJSON(lua, "-0.0")
        #expect(negativeZero == .float(0))
        #expect(negativeZero.doubleValue?.sign == .minus)
        #expect(try pushedJSON(lua, "[0.1,-1.5e-300,1.7976931348623157e308]") == [0.1, -1.5e-300, 1.7976931348623157e308])
        // Whatever simdjson makes of the corner cases, both decoders agree.
        for text in ["-0", "0e0", "1E+2", "-1.0e-0", "123456789012345678901234567890", "1e400", "18446744073709551616", "-9223372036854775809"] {
            let bytes = Array(text.utf8)
            if let expected = codecValue(bytes) {
                #expect(try pushedJSON(lua, text) == expected, "\(text)")
            } else {
                #expect(pushError(lua, bytes) != nil, "\(text) decoded in Lua but not by the codec")
            }
        }
        try lua.run("function mt(v) kind = math.type(v[1]) .. ',' .. math.type(v[2]) .. ',' .. math.type(v[3]) end", name: "mt")
        try "[1.0,1,-0.0]".utf8.withContiguousStorageIfAvailable { try lua.call("mt", withJSON: UnsafeRawBufferPointer($0)) }
        #expect(try lua.run("return kind", name: "r") == "float,integer,float")
    }

    @Test func stringsAreUnescapedUTF8() throws {
        let lua = try LuaState()
        #expect(try pushedJSON(lua, #""caf\u00e9 \ud83c\udf89 \"q\" \\ \/ \b\f\n\r\t""#) == "café 🎉 \"q\" \\ / \u{8}\u{C}\n\r\t")
        #expect(try pushedJSON(lua, #"{"k\u0000ey":"a\u0000b"}"#) == ["k\u{0}ey": "a\u{0}b"])
        #expect(try pushedJSON(lua, #""日本語 ζeta""#) == "日本語 ζeta")
        try lua.run("function len(v) size = #v.s end", name: "len")
        try #"{"s":"a\u0000b\u00e9"}"#.utf8.withContiguousStorageIfAvailable { try lua.call("len", withJSON: UnsafeRawBufferPointer($0)) }
        #expect(try lua.run("return size", name: "r") == "5")
    }

    @Test func bigStringsAndKeys() throws {
        let lua = try LuaState(memoryLimit: 64 << 20)
        let big = String(repeating: "xyz€", count: 300_000)
        let key = String(repeating: "k", count: 70_000)
        #expect(try pushedJSON(lua, "\"\(big)\"") == .string(big))
        #expect(try pushedJSON(lua, "{\"\(key)\":\"\(big)\",\"\":\"\"}") == [key: .string(big), "": ""])
    }

    @Test func repeatedKeysKeepTheLastValueAsTheCodecDoes() throws {
        let lua = try LuaState()
        let text = #"{"a":1,"b":2,"a":3}"#
        #expect(try pushedJSON(lua, text) == ["a": 3, "b": 2])
        #expect(try pushedJSON(lua, text) == codecValue(Array(text.utf8)))
    }

    @Test func nestingUpToTheParsersLimitIsBuilt() throws {
        let lua = try LuaState()
        let text = String(repeating: #"{"a":["#, count: 95) + String(repeating: "]}", count: 95)
        #expect(try pushedJSON(lua, text) == codecValue(Array(text.utf8)))
        // simdjson's limit is 1024 levels, a scalar counting as one; the tables are built all the
        // way (too deep for `value(at:)`, so Lua measures).
        try lua.run("function depth(v) local d = 0 while type(v) == 'table' do d = d + 1 v = v[1] end levels = d end", name: "depth")
        let deepest = String(repeating: "[", count: 1024) + String(repeating: "]", count: 1024)
        try deepest.utf8.withContiguousStorageIfAvailable { try lua.call("depth", withJSON: UnsafeRawBufferPointer($0)) }
        #expect(try lua.run("return levels", name: "r") == "1024")
    }

    // MARK: Bad input

    @Test(arguments: [
        // Truncated documents.
        (#"{"a": [1, 2"#, "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."),
        (#"{"a""#, "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."),
        (#""abc"#, "A string is opened, but never closed."),
        // Trailing garbage.
        (#"{"a":1} x"#, "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."),
        ("1 2", "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."),
        // Broken atoms, numbers and strings.
        ("tru", "Problem while parsing an atom starting with the letter 't'"),
        ("[nul]", "Problem while parsing an atom starting with the letter 'n'"),
        ("[01]", "Problem while parsing a number"),
        (#"["\x"]"#, "Problem while parsing a string"),
        ("[\"a\u{1}\"]", "Within strings, some characters must be escaped, we found unescaped characters"),
        // Empty input.
        ("", "Empty: no JSON found"),
        (" \n\t ", "Empty: no JSON found"),
    ])
    func malformedTextIsRefusedWithSimdjsonsReason(text: String, message: String) throws {
        let lua = try LuaState()
        #expect(pushError(lua, Array(text.utf8)) == .invalidJSON(message))
        #expect(try pushedJSON(lua, #"{"still":"usable"}"#) == ["still": "usable"])
    }

    @Test func invalidUTF8IsRefused() throws {
        let lua = try LuaState()
        let message = "The input is not valid UTF-8"
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x28, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x7B, 0x22, 0xE2, 0x82, 0x22, 0x3A, 0x31, 0x7D]] {
            #expect(pushError(lua, bytes) == .invalidJSON(message), "\(bytes)")
        }
        #expect(try pushedJSON(lua, "[1]") == [1])
    }

    @Test func depthBombsAreRefused() throws {
        let lua = try LuaState()
        let message = "The JSON document was too deep (too many nested objects and arrays)"
        #expect(pushError(lua, Array((String(repeating: "[", count: 1025) + String(repeating: "]", count: 1025)).utf8)) == .invalidJSON(message))
        #expect(pushError(lua, Array((String(repeating: "[", count: 1024) + "7" + String(repeating: "]", count: 1024)).utf8)) == .invalidJSON(message))
        // Unclosed bombs fail on their structure before their depth.
        let structure = "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."
        #expect(pushError(lua, Array(String(repeating: #"{"a":"#, count: 100_000).utf8)) == .invalidJSON(structure))
        #expect(pushError(lua, [UInt8](repeating: UInt8(ascii: "["), count: 1 << 20)) == .invalidJSON(structure))
        #expect(try pushedJSON(lua, "[[1]]") == [[1]])
    }

    @Test func anEmptyBufferWithoutAnAddressIsEmptyInput() throws {
        let lua = try LuaState()
        #expect(throws: LuaError.invalidJSON("Empty: no JSON found")) {
            try lua.pushJSON(UnsafeRawBufferPointer(start: nil, count: 0))
        }
        #expect(throws: LuaError.invalidJSON("Empty: no JSON found")) {
            try lua.pushJSON(UnsafeRawBufferPointer(start: nil, count: 0), padded: true)
        }
    }

    // MARK: Memory

    @Test func aDocumentBiggerThanTheMemoryCapFailsCleanly() throws {
        let lua = try LuaState(memoryLimit: 1 << 20)
        let top = lua_gettop(lua.state)
        let huge = "[" + Array(repeating: "\"" + String(repeating: "x", count: 1000) + "\"", count: 5000).joined(separator: ",") + "]"
        #expect(throws: LuaError.outOfMemory(during: "decoding JSON into Lua")) {
            try Array(huge.utf8).withUnsafeBytes { try lua.pushJSON($0) }
        }
        #expect(lua_gettop(lua.state) == top)
        let wide = "{" + (0..<50_000).map { #""key\#($0)":\#($0)"# }.joined(separator: ",") + "}"
        #expect(throws: LuaError.outOfMemory(during: "decoding JSON into Lua")) {
            try Array(wide.utf8).withUnsafeBytes { try lua.pushJSON($0) }
        }
        try lua.run("function f(e) last = e.ok end", name: "f")
        #expect(throws: LuaError.outOfMemory(during: "calling f")) {
            try Array(huge.utf8).withUnsafeBytes { try lua.call("f", withJSON: $0) }
        }
        #expect(lua_gettop(lua.state) == top)
        // The state works again, and the garbage of the failed pushes is collectable.
        #expect(try lua.run("collectgarbage() return 1 + 1", name: "after") == "2")
        #expect(lua.memoryInUse < 512 << 10)
        #expect(try pushedJSON(lua, #"{"ok":true}"#) == ["ok": true])
        try #"{"ok":"yes"}"#.utf8.withContiguousStorageIfAvailable { try lua.call("f", withJSON: UnsafeRawBufferPointer($0)) }
        #expect(try lua.run("return last", name: "r") == "yes")
    }

    // MARK: Calling a function

    @Test func callingAFunctionWithEachDocument() throws {
        let lua = try LuaState()
        try lua.run("""
            local errors, total = 0, 0
            function on_event(e) total = total + 1 if e.level == 'error' then errors = errors + 1 end end
            function result() return errors .. '/' .. total end
            """, name: "sink")
        let top = lua_gettop(lua.state)
        for line in [#"{"level":"error"}"#, #"{"level":"info"}"#, #"{"level":"error","n":[1]}"#, "[]"] {
            try line.utf8.withContiguousStorageIfAvailable { try lua.call("on_event", withJSON: UnsafeRawBufferPointer($0)) }
        }
        #expect(lua_gettop(lua.state) == top)
        #expect(try lua.run("return result()", name: "r") == "2/4")
    }

    @Test func failuresOfTheCallAreTypedAndLeaveTheStateUsable() throws {
        let lua = try LuaState()
        try lua.run("calls = 0\nfunction boom(e) calls = calls + 1 error('bad ' .. e.x) end\nfunction spin(e) while true do end end", name: "f.lua")
        let top = lua_gettop(lua.state)
        func call(_ name: String, _ text: String, limit: Int = 0) throws {
            try Array(text.utf8).withUnsafeBytes { try lua.call(name, withJSON: $0, instructionLimit: limit) }
        }
        #expect(throws: LuaError.runtime("f.lua:2: bad event")) { try call("boom", #"{"x":"event"}"#) }
        #expect(throws: LuaError.runtime("no function 'nope'")) { try call("nope", "{}") }
        #expect(throws: LuaError.invalidJSON("Empty: no JSON found")) { try call("boom", "") }
        #expect(throws: LuaError.instructionLimit(during: "calling spin")) { try call("spin", "{}", limit: 10_000) }
        #expect(lua_gettop(lua.state) == top)
        #expect(try lua.run("return calls", name: "r") == "1", "the function ran for invalid JSON")
        #expect(try lua.run("local s = 0 for i = 1, 100000 do s = s + i end return s", name: "after") == "5000050000")
    }
}
