import Foundation
import Testing
import TemblorLua
import TemblorValue

/// The host API a plugin sees (`ctx`, the `temblor` module) and the limits around its callbacks.
@Suite struct LuaPluginHostTests {
    func plugin(_ source: String, config: Value = .null, state: Value = .null, limits: LuaLimits = LuaLimits()) throws -> LuaPlugin {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-host-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("plugin.lua").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return try LuaPlugin(path: path, instance: "test", config: config, state: state, limits: limits)
    }

    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
        } catch {
            return "\(error)"
        }
        Issue.record("no error")
        return ""
    }

    @Test func configIsTheFlowsOverThePluginsDefaults() throws {
        let p = try plugin("""
            return { api = 1, defaults = { field = "seen_by", nested = { a = 1, b = 2 } },
              on_event = function(ctx, e) return { field = ctx.config.field, a = ctx.config.nested.a, b = ctx.config.nested.b } end }
            """, config: ["nested": ["b": 3]])
        let result = try p.deliver(.null, meta: .null)
        #expect(result.value == ["field": "seen_by", "a": 1, "b": 3])
    }

    @Test func onEventReceivesEventAndMetaAndItsEmitsAreCollectedInOrder() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event, meta)
              ctx:emit({ n = event.n, from = meta.origin }, { tag = "a" })
              ctx:emit_raw("{\\"raw\\":1}\\n")
              ctx:emit_raw(temblor.bytes("xy"), { tag = "b" })
            end }
            """)
        _ = try p.deliver(["n": 7], meta: ["origin": "gen"])
        #expect(p.emissions.count == 3)
        guard case .value(let value, let meta) = p.emissions[0] else { Issue.record("not a value"); return }
        #expect(value == ["n": 7, "from": "gen"])
        #expect(meta == ["tag": "a"])
        guard case .raw(let raw, let rawMeta) = p.emissions[1], case .raw(let bytes, let bytesMeta) = p.emissions[2] else {
            Issue.record("not raw")
            return
        }
        #expect(String(decoding: raw, as: UTF8.self) == "{\"raw\":1}\n")
        #expect(rawMeta == .null)
        #expect(bytes == Array("xy".utf8))
        #expect(bytesMeta == ["tag": "b"])
    }

    @Test func metadataReachesHandlersThatDeclareItOrTakeVarargs() throws {
        let declared = try plugin("return { api = 1, on_event = function(ctx, e, meta) return meta.origin end }")
        #expect(try declared.deliver(.null, meta: ["origin": "gen"]).value == "gen")
        let variadic = try plugin("return { api = 1, on_event = function(ctx, ...) local _, meta = ...; return meta.origin end }")
        #expect(try variadic.deliver(.null, meta: ["origin": "gen"]).value == "gen")
        let json = try plugin("return { api = 1, on_event = function(ctx, e, meta) ctx:emit({ n = e.n, origin = meta.origin }) end }")
        func event(_ text: String, _ meta: Value) -> Event { Event(payload: .bytes(Array(text.utf8)), meta: meta, id: EventId(source: 0, sequence: 0), payloadIsJSONText: true) }
        // A batch of JSON frames, and one that is not JSON: the call stops there, saying why.
        let batch = [event(#"{"n":1}"#, ["origin": "file"]), event(#"{"n":2}"#, ["origin": "file"]),
                     event(#"{"n":3}"#, ["origin": "tcp"]), event("{", .null), event(#"{"n":5}"#, .null)]
        let (next, failure) = json.deliver(batch, from: 0)
        let origins = json.emissions.compactMap { emission -> Value? in
            if case .value(let value, _) = emission { return value }
            return nil
        }
        #expect(origins == [["n": 1, "origin": "file"], ["n": 2, "origin": "file"], ["n": 3, "origin": "tcp"]])
        #expect(next == 3)
        #expect(failure == .invalidJSON("The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."))
        #expect(json.deliver(batch, from: 4) == (next: 5, failure: nil))
        // Bytes that are not marked as JSON text stay a binary payload (the bridge's bytes userdata).
        let binary = try plugin("return { api = 1, on_event = function(ctx, e) ctx:emit({ kind = type(e) }) end }")
        #expect(binary.deliver([Event(payload: .bytes(Array(#"{"n":1}"#.utf8)), id: EventId(source: 0, sequence: 0))], from: 0) == (next: 1, failure: nil))
        guard case .value(let kind, _)? = binary.emissions.first else {
            Issue.record("no emission: \(binary.emissions)")
            return
        }
        #expect(kind == ["kind": "userdata"])
    }

    @Test func ctxMethodsRefuseBadArgumentsWithClearErrors() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              if event.case == "dot" then ctx.emit({}) end
              if event.case == "meta" then ctx:emit({}, "not a table") end
              if event.case == "level" then ctx:log("loud", "x") end
              if event.case == "sleep" then ctx:sleep(10) end
              if event.case == "function" then ctx:emit({ f = print }) end
              if event.case == "metric" then ctx:metric("m", "many") end
              if event.case == "raw" then ctx:emit_raw({}) end
            end }
            """)
        func failure(_ name: String) -> String { message { _ = try p.deliver(["case": .string(name)], meta: .null) } }
        #expect(failure("dot").contains("ctx:emit must be called on ctx with a colon"))
        #expect(failure("meta").contains("ctx:emit: the metadata must be a table"))
        #expect(failure("level").contains("ctx:log: the level must be one of trace, debug, info, warn, error"))
        #expect(failure("sleep").contains("ctx:sleep: can only be called from the source function"))
        #expect(failure("function").contains("cannot convert a function"))
        #expect(failure("metric").contains("ctx:metric: the value must be a finite number"))
        #expect(failure("raw").contains("ctx:emit_raw: expects a string or temblor.bytes"))
        // Each error names the plugin file and line.
        #expect(failure("dot").contains("plugin.lua:2:"))
        #expect(p.emissions.isEmpty)
    }

    @Test func theSourceCoroutineYieldsPerBatchAndOnSleepThenFinishes() throws {
        let p = try plugin("""
            return { api = 1, source = function(ctx)
              for i = 1, 5 do ctx:emit({ n = i }) end
              ctx:sleep(250)
              ctx:emit({ n = 6 })
            end }
            """)
        p.emitBatch = 2
        try p.startSource()
        #expect(p.resumeSource() == .emitted)
        #expect(p.emissions.count == 2)
        p.emissions = []
        #expect(p.resumeSource() == .emitted)
        p.emissions = []
        #expect(p.resumeSource() == .sleep(milliseconds: 250))
        #expect(p.emissions.count == 1)
        p.emissions = []
        #expect(p.resumeSource() == .finished)
        #expect(p.emissions.count == 1)
        #expect(p.resumeSource() == .finished)
    }

    @Test func theSourceLoopsWhileRunningAndStopsWhenTold() throws {
        let p = try plugin("""
            return { api = 1, source = function(ctx)
              while ctx:running() do ctx:emit({ t = ctx:now() }); ctx:sleep(1) end
            end }
            """)
        try p.startSource()
        #expect(p.resumeSource() == .sleep(milliseconds: 1))
        #expect(p.resumeSource() == .sleep(milliseconds: 1))
        p.isRunning = false
        #expect(p.resumeSource() == .finished)
        let times = p.emissions.compactMap { emission -> Int64? in
            if case .value(let v, _) = emission { return v["t"]?.intValue }
            return nil
        }
        #expect(times.count == 2 && times[0] <= times[1] && times[0] > 0)
    }

    @Test func anErrorInTheSourceEndsItWithFileAndLine() throws {
        let p = try plugin("""
            return { api = 1, source = function(ctx)
              ctx:emit({ n = 1 })
              error("boom")
            end }
            """)
        try p.startSource()
        guard case .failed(let error) = p.resumeSource() else { Issue.record("did not fail"); return }
        #expect(error.description.contains("plugin.lua:3: boom"))
        #expect(p.resumeSource() == .finished)
    }

    @Test func timersRegisteredWithEveryAreCalledByTheHost() throws {
        let p = try plugin("""
            return { api = 1, on_start = function(ctx)
              ctx:every(500, function(c) c.state.ticks = (c.state.ticks or 0) + 1; c:emit({ tick = c.state.ticks }) end)
            end }
            """)
        try p.call(.onStart)
        #expect(p.timers == [LuaTimer(id: 1, intervalMs: 500)])
        try p.fireTimer(1)
        try p.fireTimer(1)
        #expect(p.emissions.count == 2)
        #expect(p.savedState() == ["ticks": 2])
    }

    @Test func stateCarriesOverIntoTheNextInstance() throws {
        let source = """
            return { api = 1, on_event = function(ctx) ctx.state.n = (ctx.state.n or 0) + 1; return ctx.state.n end }
            """
        let first = try plugin(source)
        _ = try first.deliver(.null, meta: .null)
        _ = try first.deliver(.null, meta: .null)
        let saved = try #require(first.savedState())
        let second = try plugin(source, state: saved)
        #expect(try second.deliver(.null, meta: .null).value == 3)
    }

    @Test func theTemblorModuleMarksKindsAndWrapsBytes() throws {
        let p = try plugin("""
            local t = require("temblor")
            assert(t == temblor)
            return { api = 1, on_event = function(ctx, event)
              local b = temblor.bytes("a\\0b")
              assert(#b == 3 and tostring(b) == "a\\0b" and b == temblor.bytes("a\\0b"))
              return { empty_array = temblor.array(), empty_object = temblor.object(), list = temblor.array{1, 2},
                       none = temblor.null, raw = b, same = event.x == temblor.null }
            end }
            """)
        let result = try p.deliver(["x": nil], meta: .null)
        #expect(result.value == ["empty_array": [], "empty_object": [:], "list": [1, 2], "none": nil, "raw": .bytes([97, 0, 98]), "same": true])
        let foreign = try plugin("""
            return { api = 1, on_event = function() return temblor.array(setmetatable({}, {})) end }
            """)
        #expect(message { _ = try foreign.deliver(.null, meta: .null) }.contains("temblor.array: the table already has a metatable of its own"))
    }

    @Test func onEventReturnsAValueAndAPort() throws {
        let p = try plugin("""
            return { api = 1, ports = { "odd" }, on_event = function(ctx, e)
              if e.n == 0 then return nil end
              if e.n % 2 == 1 then return e, "odd" end
              return e
            end }
            """)
        #expect(p.info.ports == ["odd"])
        #expect(try p.deliver(["n": 0], meta: .null).value == nil)
        let odd = try p.deliver(["n": 1], meta: .null)
        #expect(odd.value == ["n": 1] && odd.port == "odd")
        let even = try p.deliver(["n": 2], meta: .null)
        #expect(even.value == ["n": 2] && even.port == nil)
    }

    @Test func callbacksStopAtTheirInstructionAndTimeBudgets() throws {
        let looping = try plugin("""
            return { api = 1, on_event = function() while true do end end }
            """, limits: LuaLimits(instructions: 100_000))
        let instructions = message { _ = try looping.deliver(.null, meta: .null) }
        #expect(instructions.contains("instruction limit exceeded while on_event"))

        let slow = try plugin("""
            return { api = 1, on_event = function() while true do end end }
            """, limits: LuaLimits(instructions: Int(Int32.max), timeMs: 50))
        let time = message { _ = try slow.deliver(.null, meta: .null) }
        #expect(time.contains("time limit exceeded while on_event"))
        // The state stays usable once the callback has unwound.
        #expect(try slow.call(.onStart) == .null)
    }

    @Test func theTopLevelChunkRunsUnderTheInstructionBudget() throws {
        let error = message { _ = try plugin("while true do end\nreturn { api = 1 }", limits: LuaLimits(instructions: 10_000)) }
        #expect(error.contains("instruction limit exceeded"))
    }

    @Test func finalizersAreRefused() throws {
        let p = try plugin("""
            return { api = 1, on_event = function() setmetatable({}, { __gc = function() end }) end }
            """)
        #expect(message { _ = try p.deliver(.null, meta: .null) }.contains("__gc finalizers are not allowed"))
    }

    @Test func limitsComeFromTheFlowWithNamedErrors() throws {
        let limits = try LuaLimits(["memory_mb": 8, "instructions": 50_000, "time_ms": 20])
        #expect(limits == LuaLimits(memory: 8 << 20, instructions: 50_000, timeMs: 20))
        #expect(throws: LuaConfigError(key: "limits.memory", "unknown limit; known limits are memory_mb, instructions, time_ms, sockets, files, io_buffer_kb, io_timeout_ms")) {
            try LuaLimits(["memory": 8])
        }
        #expect(throws: LuaConfigError(key: "limits.instructions", "expected an integer in 1000...2147483647, got 5")) {
            try LuaLimits(["instructions": 5])
        }
    }
}
