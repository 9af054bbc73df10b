import Foundation
import Synchronization
import Testing
import TemblorCodecs
import TemblorConnectors
import TemblorLua
import TemblorRuntime
import TemblorValue

/// Hostile Lua plugins run beside well-behaved connectors (DESIGN §3: faults are contained).
/// Each flow test checks three things: the hostile attempt failed (failed counts, its own output,
/// and the error text through a direct `LuaPlugin` call), every event of the well-behaved
/// neighbour arrived, and the run ended.
@Suite struct LuaHostilePluginTests {
    /// Small limits keep the hostile cases fast; `max_errors: 1` restarts at the first error.
    static let tight = "{ instructions: 100000, time_ms: 200, memory_mb: 8, max_errors: 1, max_restarts: 1, backoff_ms: 10 }"
    /// The same limits for direct plugin calls.
    static let tightLimits = LuaLimits(memory: 8 << 20, instructions: 100_000, timeMs: 200)
    /// Events of the well-behaved neighbour, and of the finite source feeding a hostile sink.
    static let calmCount = 300
    static let feedCount = 5

    // MARK: - Endless loops

    @Test func anEndlessLoopInOnEventFailsItsEventsAndSparesTheNeighbour() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1, on_event = function(ctx, event) while true do end end }
            """)
        let report = try await scene.runWithHostileSink()
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        #expect(throws: LuaError.instructionLimit(during: "on_event")) { try plugin.deliver(["n": 1], meta: .null) }
    }

    @Test func anEndlessLoopInTheSourceIsStoppedAfterItsRestarts() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1, source = function(ctx)
              ctx.state.runs = (ctx.state.runs or 0) + 1
              ctx:emit({ run = ctx.state.runs })
              ctx:sleep(1)
              while true do end
            end }
            """)
        let report = try await scene.runWithHostileSource()
        // Each state (the first and its one restart) emits once, then loops and is stopped.
        #expect(scene.lines("hostile_out.jsonl") == [#"{"run":1}"#, #"{"run":2}"#])
        #expect(report == scene.expected(hostileAcked: 2))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        try plugin.startSource()
        #expect(plugin.resumeSource() == .sleep(milliseconds: 1))
        #expect(plugin.resumeSource() == .failed(.instructionLimit(during: "source")))
        // What the next state starts from; `null` was never ctx.state itself.
        #expect(plugin.savedState() == ["runs": 1])
    }

    @Test func anEndlessLoopInConnectStopsThePluginAndFailsItsEvents() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1,
              connect = function(ctx) while true do end end,
              on_event = function(ctx, event) end }
            """)
        let report = try await scene.runWithHostileSink()
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        #expect(throws: LuaError.instructionLimit(during: "connect")) { try plugin.call(.connect) }
    }

    @Test func anEndlessLoopInTheTopLevelChunkIsRefusedByCheckAndByRun() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            while true do end
            return { api = 1, on_event = function(ctx, event) end }
            """)
        let errors = try scene.validationErrors(scene.flowWithHostileSink())
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("connector 'hostile': plugin: instruction limit exceeded while loading") == true, "\(errors)")

        let report = try await scene.runWithHostileSink(validate: false)
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()
    }

    @Test(arguments: [
        ("coroutines resumed one after another", "while true do coroutine.resume(coroutine.create(function() while true do end end)) end"),
        ("a pattern bomb", "local s = ('a'):rep(20000) s:find('.-.-.-.-b')"),
    ])
    func theTopLevelChunkIsWatchedByTheClockToo(_ name: String, _ bomb: String) async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", "\(bomb)\nreturn { api = 1, on_event = function(ctx, event) end }")
        let limits = LuaLimits(memory: 32 << 20, instructions: 1_000_000, timeMs: 200)
        let error = try await offThread(seconds: 10) { () -> LuaError? in
            do throws(LuaError) {
                _ = try scene.plugin("hostile.lua", limits: limits)
                return nil
            } catch {
                return error
            }
        }
        #expect(error?.isLimit == true, "\(String(describing: error))")
    }

    @Test func anEndlessLoopInATimerIsStopped() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1, source = function(ctx)
              ctx:every(1, function(ctx) while true do end end)
            end }
            """)
        let report = try await scene.runWithHostileSource()
        #expect(scene.lines("hostile_out.jsonl").isEmpty)
        #expect(report == scene.expected())
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        try plugin.startSource()
        #expect(plugin.resumeSource() == .finished)
        let timer = try #require(plugin.timers.first)
        #expect(throws: LuaError.instructionLimit(during: "a ctx:every function")) { try plugin.fireTimer(timer.id) }
    }

    // MARK: - Memory and CPU bombs

    @Test(arguments: [
        ("a growing table", "local t = {} while true do t[#t + 1] = ('x'):rep(1024) .. #t end"),
        ("string concatenation", "local s = 'x' while true do s = s .. s end"),
        ("a table.concat of copies", "local t = {} for i = 1, 1e6 do t[i] = ('y'):rep(64) .. i end return table.concat(t)"),
    ])
    func aMemoryBombFailsWithOutOfMemory(_ name: String, _ bomb: String) async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", "return { api = 1, on_event = function(ctx, event) if event.n == 0 then return 'ok' end \(bomb) end }")
        let report = try await scene.runWithHostileSink(limits: Self.memoryBombLimits)
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua", limits: LuaLimits(memory: 8 << 20, instructions: 50_000_000, timeMs: 5_000))
        #expect(throws: LuaError.outOfMemory(during: "on_event")) { try plugin.deliver(["n": 1], meta: .null) }
        // The state stays usable: what the bomb held is garbage now.
        #expect(try plugin.deliver(["n": 0], meta: .null).value == "ok")
        #expect(throws: LuaError.outOfMemory(during: "on_event")) { try plugin.deliver(["n": 2], meta: .null) }
    }

    /// Memory bombs need room for instructions to reach the memory cap first.
    static let memoryBombLimits = "{ instructions: 50000000, time_ms: 2000, memory_mb: 8, max_errors: 1, max_restarts: 1, backoff_ms: 10 }"

    @Test func aStringRepBombIsRefusedBeforeItRuns() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1, on_event = function(ctx, event) return ('x'):rep(1 << 40) end }
            """)
        let report = try await scene.runWithHostileSink()
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        let error = #expect(throws: LuaError.self) { try plugin.deliver(["n": 1], meta: .null) }
        #expect(error?.description.contains("string.rep: result of 1099511627776 bytes is over the limit of 16777216") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("an empty string many times", "return #string.rep('', math.maxinteger)", "0"),
        ("an empty string with an empty separator", "return #string.rep('', 1 << 62, '')", "0"),
        ("a count given as a string", "return pcall(string.rep, 'x', '1e12')", "false"),
    ])
    func stringRepCannotRunAwayInC(_ name: String, _ code: String, _ expected: String) async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", "return { api = 1, on_event = function(ctx, event) return { result = tostring((function() \(code) end)()) } end }")
        let result = try await offThread(seconds: 10) { try scene.plugin("hostile.lua").deliver(["n": 1], meta: .null) }
        #expect(result.value == ["result": .string(expected)])
    }

    @Test func unboundedRecursionFailsWithAStackOverflow() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            local function deeper(n) return 1 + deeper(n + 1) end
            local looped = setmetatable({}, { __index = function(t, k) return t[k] end })
            return { api = 1, on_event = function(ctx, event)
              if event.kind == "lua" then return deeper(1) else return looped.x end
            end }
            """)
        try scene.write("feed.jsonl", (1...Self.feedCount).map { #"{"kind":"\#($0 % 2 == 0 ? "lua" : "c")"}"# }.joined(separator: "\n") + "\n")
        let report = try await scene.runWithHostileSink(limits: Self.memoryBombLimits, writeFeed: false)
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua", limits: LuaLimits(memory: 256 << 20, instructions: 100_000_000, timeMs: 10_000))
        let luaError = #expect(throws: LuaError.self) { try plugin.deliver(["kind": "lua"], meta: .null) }
        #expect(luaError?.description.contains("stack overflow") == true, "\(String(describing: luaError))")
        let cError = #expect(throws: LuaError.self) { try plugin.deliver(["kind": "c"], meta: .null) }
        #expect(cError?.description.contains("stack overflow") == true, "\(String(describing: cError))")
        // Still usable afterwards.
        #expect(throws: Never.self) { try plugin.call(.onStart) }
    }

    @Test func aPatternBombIsInterruptedByTheWatchdog() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            local subject = ('a'):rep(20000)
            local bombs = {
              function() return subject:find('.-.-.-.-b') end,
              function() return subject:match('(.-)(.-)(.-)(.-)b') end,
              function() return subject:gsub('.-.-.-.-b', '') end,
              function() for m in subject:gmatch('.-.-.-.-b') do end end,
              function() return (subject:rep(100)):find(('a'):rep(1e6) .. 'b', 1, true) end,
            }
            return { api = 1, on_event = function(ctx, event) return bombs[event.n]() end }
            """)
        let report = try await scene.runWithHostileSink(limits: Self.patternBombLimits)
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let limits = LuaLimits(memory: 32 << 20, instructions: 10_000_000, timeMs: 200)
        for n in 1...Self.feedCount {
            let error = try await scene.failure(of: "hostile.lua", limits: limits, event: ["n": .int(Int64(n))])
            #expect(error == .timeLimit(during: "on_event"), "bomb \(n)")
        }
        // Patterns that are not bombs still work as in Lua.
        try scene.write("fine.lua", """
            return { api = 1, on_event = function(ctx, event)
              local s = 'key=value; other = 42'
              local words = {}
              for w in s:gmatch('%a+') do words[#words + 1] = w end
              return {
                find = { s:find('(%w+)%s*=%s*(%w+)', 10) },
                match = { s:match('^(%w+)=(%w+)') },
                gsub = { s:gsub('%s', '') },
                words = words,
                plain = { s:find('=', 1, true) },
                balanced = { ('f(a(b)c)d'):match('%b()') },
                frontier = { ('THE (quick) fox'):find('%f[%a]%a+%f[%A]') },
                backref = { ('say "hi" now'):match('(["\\'])(.-)%1') },
                position = { ('hello'):match('()ll()') },
              }
            end }
            """)
        let fine = try scene.plugin("fine.lua")
        let result = try fine.deliver(["n": 1], meta: .null)
        #expect(result.value == [
            "find": [12, 21, "other", "42"], "match": ["key", "value"], "gsub": ["key=value;other=42", 3],
            "words": ["key", "value", "other"], "plain": [4, 4], "balanced": ["(a(b)c)"], "frontier": [1, 3],
            "backref": ["\"", "hi"], "position": [3, 5],
        ])
    }

    /// Enough instructions that only the wall clock can stop a C call.
    static let patternBombLimits = "{ instructions: 10000000, time_ms: 200, memory_mb: 32, max_errors: 100, max_restarts: 1, backoff_ms: 10 }"

    // MARK: - Limits a script cannot swallow

    @Test(arguments: [
        ("pcall", "while true do pcall(function() while true do end end) end"),
        ("xpcall with a looping handler", "while true do xpcall(function() while true do end end, function() while true do end end) end"),
        ("a to-be-closed variable", "local guard <close> = setmetatable({}, { __close = function() while true do end end }) while true do end"),
        ("a coroutine that loops", "coroutine.wrap(function() while true do end end)()"),
        ("coroutines resumed one after another", "while true do coroutine.resume(coroutine.create(function() while true do end end)) end"),
        ("a coroutine yielding forever", "local co = coroutine.wrap(function() while true do coroutine.yield() end end) while true do co() end"),
        ("an xpcall handler that loops", "xpcall(error, function() while true do end end)"),
        ("a to-be-closed variable in a wrapped coroutine",
         "coroutine.wrap(function() local guard <close> = setmetatable({}, { __close = function() while true do end end }) while true do end end)()"),
        ("closing a coroutine that met the limit",
         "local co = coroutine.create(function() local guard <close> = setmetatable({}, { __close = function() while true do end end }) "
            + "while true do end end) coroutine.resume(co) coroutine.close(co) while true do end"),
    ])
    func aScriptCannotSwallowItsLimits(_ name: String, _ code: String) async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", "return { api = 1, on_event = function(ctx, event) \(code) end }")
        let report = try await scene.runWithHostileSink()
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let error = try await scene.failure(of: "hostile.lua")
        #expect(error?.isLimit == true, "\(String(describing: error))")
    }

    /// What the sandbox changed so that limits hold (xpcall, coroutine.wrap and close) still
    /// behaves as Lua's own for a script that means no harm.
    @Test func xpcallAndCoroutinesKeepLuasResults() throws {
        let lua = try LuaState()
        let probe = #"""
            local out = {}
            local function show(...)
              local t = table.pack(...)
              for i = 1, t.n do t[i] = tostring(t[i]) end
              out[#out + 1] = table.concat(t, " ")
            end
            show(xpcall(function(...) return ... end, print, 1, 2))
            show(xpcall(function() error("x") end, function(m) return "handled: " .. m, "dropped" end))
            show(xpcall(error, function() error("again") end, "first"))
            show(pcall(xpcall, print))
            local gen = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
            show(gen(1), gen(10))
            show(pcall(gen))
            show(pcall(coroutine.wrap(function() error({}) end)))
            local failed = coroutine.create(function() error("boom") end)
            show(coroutine.resume(failed))
            show(coroutine.close(failed))
            show(coroutine.close(failed))
            local ended = coroutine.create(function() return 1 end)
            coroutine.resume(ended)
            show(coroutine.close(ended))
            local closed = {}
            local suspended = coroutine.create(function()
              local guard <close> = setmetatable({}, { __close = function() closed[#closed + 1] = "closed" end })
              coroutine.yield()
            end)
            coroutine.resume(suspended)
            show(coroutine.close(suspended), closed[1])
            return table.concat(out, "\n")
            """#
        let lines = try #require(try lua.run(probe, name: "probe")).split(separator: "\n").map(String.init)
        #expect(lines.count == 12)
        #expect(lines.first == "true 1 2")
        #expect(lines.dropFirst().first == "false handled: probe:8: x")
        #expect(Array(lines.dropFirst(2)) == [
            "false error in error handling",
            "false bad argument #2 to 'xpcall' (function expected, got no value)",
            "2 20",
            "false cannot resume dead coroutine",
            lines[6],
            "false probe:15: boom", "false probe:15: boom", "true",
            "true",
            "true closed",
        ])
        #expect(lines[6].hasPrefix("false table: "))
    }

    // MARK: - Errors in every hook

    @Test func anErrorInConnectStopsThePluginAndFailsItsEvents() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1,
              connect = function(ctx) error("connect refuses") end,
              on_event = function(ctx, event) end }
            """)
        let report = try await scene.runWithHostileSink()
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        let error = #expect(throws: LuaError.self) { try plugin.call(.connect) }
        #expect(error?.description.contains("hostile.lua:2: connect refuses") == true, "\(String(describing: error))")
    }

    @Test func errorsInLifecycleHooksAreContainedAndTheSourceStillDelivers() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1,
              on_start = function(ctx) error("on_start refuses") end,
              on_pause = function(ctx) error("on_pause refuses") end,
              on_resume = function(ctx) error("on_resume refuses") end,
              on_drain = function(ctx) error("on_drain refuses") end,
              on_stop = function(ctx) error("on_stop refuses") end,
              source = function(ctx) for i = 1, 20 do ctx:emit({ n = i }) end end }
            """)
        // Five errors in a row would restart the state: the three hooks that run stay below.
        let limits = "{ instructions: 100000, time_ms: 200, memory_mb: 8, max_errors: 5, max_restarts: 1, backoff_ms: 10 }"
        let report = try await scene.runWithHostileSource(limits: limits)
        #expect(scene.lines("hostile_out.jsonl").count == 20)
        #expect(report == scene.expected(hostileAcked: 20))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        for (hook, line) in [(LuaHook.onStart, 2), (.onPause, 3), (.onResume, 4), (.onDrain, 5), (.onStop, 6)] {
            let error = #expect(throws: LuaError.self) { try plugin.call(hook) }
            #expect(error?.description.contains("hostile.lua:\(line): \(hook) refuses") == true, "\(String(describing: error))")
        }
    }

    @Test func anErrorInOnEventFailsEachEvent() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1, on_event = function(ctx, event) error("on_event refuses " .. event.n) end }
            """)
        let report = try await scene.runWithHostileSink()
        #expect(report == scene.expected(hostileFailed: Self.feedCount))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        let error = #expect(throws: LuaError.self) { try plugin.deliver(["n": 7], meta: .null) }
        #expect(error?.description.contains("hostile.lua:1: on_event refuses 7") == true, "\(String(describing: error))")
    }

    @Test func anErrorInTheSourceRestartsItThenStopsIt() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1, source = function(ctx)
              ctx.state.runs = (ctx.state.runs or 0) + 1
              ctx:emit({ run = ctx.state.runs })
              error("source refuses")
            end }
            """)
        let report = try await scene.runWithHostileSource()
        // What a run emitted before failing still goes out; the state carries over a restart.
        #expect(scene.lines("hostile_out.jsonl") == [#"{"run":1}"#, #"{"run":2}"#])
        #expect(report == scene.expected(hostileAcked: 2))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        try plugin.startSource()
        guard case .failed(let error) = plugin.resumeSource() else {
            Issue.record("the source did not fail")
            return
        }
        #expect(error.description.contains("hostile.lua:4: source refuses"), "\(error)")
    }

    @Test func anErrorInATimerStopsTheTimersAndTheSourceEnds() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1, source = function(ctx)
              ctx:emit({ n = 1 })
              ctx:every(1, function(ctx) ctx:emit({ n = 2 }) error("tick refuses") end)
            end }
            """)
        let report = try await scene.runWithHostileSource()
        // A failing timer's emissions are dropped with the error; the first event went out.
        #expect(scene.lines("hostile_out.jsonl") == [#"{"n":1}"#])
        #expect(report == scene.expected(hostileAcked: 1))
        try scene.expectCalmDelivered()

        let plugin = try scene.plugin("hostile.lua")
        try plugin.startSource()
        #expect(plugin.resumeSource() == .finished)
        let timer = try #require(plugin.timers.first)
        let error = #expect(throws: LuaError.self) { try plugin.fireTimer(timer.id) }
        #expect(error?.description.contains("hostile.lua:3: tick refuses") == true, "\(String(describing: error))")
    }

    // MARK: - Leaving the sandbox

    /// Attempts to reach the outside world or the host, each with what its error says.
    static let escapes: [(String, String)] = [
        ("io.open('/etc/passwd')", "attempt to index a nil value (global 'io')"),
        ("io.popen('id')", "attempt to index a nil value (global 'io')"),
        ("os.execute('touch /tmp/temblor-hostile')", "attempt to call a nil value (field 'execute')"),
        ("os.exit(1)", "attempt to call a nil value (field 'exit')"),
        ("debug.getregistry()", "attempt to index a nil value (global 'debug')"),
        ("debug.sethook()", "attempt to index a nil value (global 'debug')"),
        ("package.loadlib('libc.so.6', 'system')", "attempt to index a nil value (global 'package')"),
        ("dofile('/etc/passwd')", "attempt to call a nil value (global 'dofile')"),
        ("loadfile('/etc/passwd')", "attempt to call a nil value (global 'loadfile')"),
        ("require('socket.core')", "module 'socket.core' not found in the plugin's directory or Temblor's lua/"),
        ("require('io')", "module 'io' not found"),
        ("require('../../etc/passwd')", "module names are dotted identifiers"),
        ("require('..secret')", "module names are dotted identifiers"),
        ("require('/etc/passwd')", "module names are dotted identifiers"),
        ("require('outside')", "leads outside"),
        ("assert(load(string.dump(function() return 1 end)))", "attempt to load a binary chunk (mode is 't')"),
        ("load(string.dump(function() return 1 end), 'x', 'b')", "load: binary chunks are not allowed in a plugin (mode must be 't')"),
        ("assert(load(string.dump(function() return 1 end), 'x', 't'))", "attempt to load a binary chunk (mode is 't')"),
        ("local chunk = string.dump(function() end) local given = false "
            + "assert(load(function() if given then return nil end given = true return chunk end))",
         "attempt to load a binary chunk (mode is 't')"),
        ("getmetatable('').__index = { upper = function() return 'pwned' end }", "attempt to index a string value"),
        ("getmetatable('').__metatable = nil", "attempt to index a string value"),
        ("setmetatable('', {})", "bad argument #1 to 'setmetatable' (table expected, got string)"),
        ("setmetatable(ctx, {})", "cannot change a protected metatable"),
        ("setmetatable(temblor.null, {})", "cannot change a protected metatable"),
        ("setmetatable(temblor.array{}, { __index = function() end })", "cannot change a protected metatable"),
        ("setmetatable({}, { __gc = function() while true do end end })", "setmetatable: __gc finalizers are not allowed in a plugin"),
        ("setmetatable({}, { __gc = false })", "setmetatable: __gc finalizers are not allowed in a plugin"),
        ("collectgarbage('stop')", "collectgarbage('stop') is not allowed in a plugin"),
        ("collectgarbage('generational')", "collectgarbage('generational') is not allowed in a plugin"),
        ("setfenv(1, {})", "attempt to call a nil value (global 'setfenv')"),
        ("string.dump(print)", "unable to dump given function"),
    ]

    @Test(arguments: Self.escapes)
    func anEscapeAttemptFailsWithAClearError(_ code: String, _ message: String) throws {
        let scene = try Scene()
        try scene.writeEscapePlugin()
        let plugin = try scene.plugin("escape/init.lua")
        let error = #expect(throws: LuaError.self) { try plugin.deliver(["code": .string(code)], meta: .null) }
        #expect(error?.description.contains(message) == true, "\(code): \(String(describing: error))")
        // A failed attempt leaves nothing behind: the next event runs normally.
        #expect(try plugin.deliver(["code": "return 'still here'"], meta: .null).value == "still here")
    }

    @Test func everyEscapeAttemptFailsInAFlow() async throws {
        let scene = try Scene()
        try scene.writeEscapePlugin()
        let feed = try Self.escapes.map { code, _ in
            String(decoding: try JSONSerialization.data(withJSONObject: ["code": code]), as: UTF8.self)
        }
        try scene.write("feed.jsonl", feed.joined(separator: "\n") + "\n")
        // The plugin is never restarted: each attempt fails on its own.
        let limits = "{ instructions: 100000, time_ms: 200, memory_mb: 8, max_errors: 1000, max_restarts: 0, backoff_ms: 10 }"
        let report = try await scene.run(scene.flowWithHostileSink(plugin: "escape", limits: limits))
        #expect(report == scene.expected(hostileFailed: Self.escapes.count))
        try scene.expectCalmDelivered()
        // Nothing reached the file system.
        #expect(!FileManager.default.fileExists(atPath: "/tmp/temblor-hostile"))
    }

    @Test func theRegistryAndHostMetatablesAreOutOfReach() throws {
        let scene = try Scene()
        try scene.write("probe.lua", """
            return { api = 1, on_event = function(ctx, event)
              local seen = {}
              seen.debug = type(debug)
              seen.string_meta = type(getmetatable(''))
              seen.ctx_meta = getmetatable(ctx)
              seen.null_meta = getmetatable(temblor.null)
              seen.array_meta = getmetatable(temblor.array{})
              seen.bytes_meta = getmetatable(temblor.bytes('x'))
              seen.registry_via_require = type(require('temblor').registry)
              local ok = pcall(function() return ctx.emit.__index end)
              seen.method_upvalues = ok and 'reachable' or 'not indexable'
              return seen
            end }
            """)
        let plugin = try scene.plugin("probe.lua")
        let result = try plugin.deliver(["n": 1], meta: .null)
        #expect(result.value == [
            "debug": "nil", "string_meta": "string", "ctx_meta": "temblor.ctx", "null_meta": "temblor.null",
            "array_meta": "temblor.array", "bytes_meta": "temblor.bytes", "registry_via_require": "nil",
            "method_upvalues": "not indexable",
        ])
    }

    @Test func aFinalizerAddedAfterTheFactNeverRuns() async throws {
        let scene = try Scene()
        // The metatable gets __gc after setmetatable accepted it: Lua never marks the object
        // for finalization, so closing the state does not run the endless loop.
        try scene.write("hostile.lua", """
            return { api = 1, on_event = function(ctx, event)
              local mt = {}
              kept = setmetatable({}, mt)
              mt.__gc = function() while true do end end
              collectgarbage()
            end }
            """)
        let report = try await scene.runWithHostileSink()
        #expect(report == scene.expected(hostileAcked: Self.feedCount))
        try scene.expectCalmDelivered()
    }

    @Test func aPluginTableWithAMetatableCannotReachTheHost() async throws {
        let scene = try Scene()
        // The host reads hooks from the returned table: a metatable on it must not run code
        // outside the limits, or raise where nothing protects the host.
        try scene.write("hostile.lua", """
            local plugin = { api = 1 }
            plugin.on_event = function(ctx, event)
              plugin.source = nil
            end
            return setmetatable(plugin, { __index = function(t, key) error("read " .. key) end })
            """)
        try scene.write("looping.lua", """
            local plugin = { api = 1 }
            plugin.source = function(ctx) end
            plugin.on_start = function(ctx)
              plugin.source = nil
              setmetatable(plugin, { __index = function() while true do end end })
            end
            return plugin
            """)
        let info = try await offThread(seconds: 10) { try scene.plugin("hostile.lua").info }
        #expect(info.hooks == ["on_event"])
        let step = try await offThread(seconds: 10) {
            let looping = try scene.plugin("looping.lua")
            try looping.call(.onStart)
            try looping.startSource()
            return looping.resumeSource()
        }
        // The plugin took its own source away: starting it fails, nothing loops.
        #expect(step == .failed(.runtime("attempt to call a nil value")))

        let report = try await scene.runWithHostileSink()
        #expect(report == scene.expected(hostileAcked: Self.feedCount))
        try scene.expectCalmDelivered()
    }

    @Test func aPluginThatFillsItsMemoryWhileLoadingLeavesTheHostStanding() async throws {
        let scene = try Scene()
        // The chunk keeps all but a few hundred bytes of its memory alive, so that what the host
        // allocates afterwards (reading the plugin table, building ctx, passing events) may fail:
        // each must fail as an error of the plugin, never abort the process.
        try scene.write("hostile.lua", """
            local plugin = { api = 1, on_event = function(ctx, event) end }
            hoards = {}
            local count = 0
            for i = 1, 64 do hoards[i] = false end
            local function filler(size)
              local t = {}
              count = count + 1
              hoards[count] = t
              while true do t[#t + 1] = ('z'):rep(size) .. #t end
            end
            for _, size in ipairs({ 65536, 4096, 256, 32, 1 }) do
              for _ = 1, 8 do pcall(filler, size) end
            end
            return plugin
            """)
        let limits = LuaLimits(memory: 2 << 20, instructions: 50_000_000, timeMs: 5_000)
        let failures = try await offThread(seconds: 10) { () -> [LuaError] in
            var failures: [LuaError] = []
            do throws(LuaError) {
                let plugin = try scene.plugin("hostile.lua", limits: limits)
                for n in 1...3 {
                    do throws(LuaError) { _ = try plugin.deliver(["n": .int(Int64(n)), "pad": .string(String(repeating: "p", count: 512))], meta: .null) } catch { failures.append(error) }
                }
                _ = plugin.savedState()
            } catch {
                failures.append(error)
            }
            return failures
        }
        for failure in failures { #expect(failure.isLimit, "\(failure)") }

        // Validation loads the plugin too and may already find it over its memory: the run is
        // what must stand, so it goes ahead unvalidated.
        let report = try await scene.runWithHostileSink(
            limits: "{ instructions: 50000000, time_ms: 5000, memory_mb: 2, max_errors: 1, max_restarts: 1, backoff_ms: 10 }",
            validate: false)
        #expect(report.produced == Self.calmCount + Self.feedCount && report.pending == 0, "\(report)")
        try scene.expectCalmDelivered()
    }

    // MARK: - Plugins do not see each other

    @Test func twoLuaConnectorsDoNotShareGlobalsOrLibraries() async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            return { api = 1, on_event = function(ctx, event)
              leak = "from hostile"
              _G.shared = { secret = 42 }
              string.upper = function() return "pwned" end
              table.insert = nil
              temblor.null = "poisoned"
              setmetatable(_G, { __index = function() return "intercepted" end })
            end }
            """)
        try scene.write("calm.lua", """
            return { api = 1, source = function(ctx)
              for i = 1, 50 do
                ctx:emit({
                  n = i,
                  leak = tostring(rawget(_G, "leak")),
                  shared = tostring(rawget(_G, "shared")),
                  missing = tostring(no_such_global),
                  upper = ("x"):upper(),
                  insert = type(table.insert),
                  null_intact = temblor.null ~= "poisoned",
                })
                ctx:sleep(2)
              end
            end }
            """)
        let yaml = scene.flow(
            connectors: """
              feed: { type: file, config: { path: feed.jsonl } }
              hostile: { type: lua, plugin: hostile.lua, limits: \(Self.tight) }
              calm_lua: { type: lua, plugin: calm.lua }
              calm_lua_out: { type: file, config: { path: calm_lua_out.jsonl, mode: truncate } }
            """,
            links: ["feed -> hostile", "calm_lua -> calm_lua_out"])
        try scene.writeFeed()
        let report = try await scene.run(yaml)
        #expect(report == scene.expected(hostileAcked: Self.feedCount + 50))
        try scene.expectCalmDelivered()
        let lines = scene.lines("calm_lua_out.jsonl")
        #expect(lines.count == 50)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["leak"] as? String == "nil", "\(line)")
            #expect(object?["shared"] as? String == "nil", "\(line)")
            #expect(object?["missing"] as? String == "nil", "\(line)")
            #expect(object?["upper"] as? String == "X", "\(line)")
            #expect(object?["insert"] as? String == "function", "\(line)")
            #expect(object?["null_intact"] as? Bool == true, "\(line)")
        }

        // The same plugin file loaded twice gives two states: what one sets, the other never sees.
        try scene.write("counter.lua", """
            return { api = 1, on_event = function(ctx, event)
              count = (count or 0) + 1
              return { count = count, peer = tostring(rawget(_G, "marker")) }
            end,
            on_start = function(ctx) marker = ctx.config.marker end }
            """)
        let first = try LuaPlugin(path: scene.dir + "/counter.lua", instance: "first", config: ["marker": "first"], limits: Self.tightLimits)
        let second = try LuaPlugin(path: scene.dir + "/counter.lua", instance: "second", config: ["marker": "second"], limits: Self.tightLimits)
        try first.call(.onStart)
        for _ in 0..<3 { _ = try first.deliver(["n": 1], meta: .null) }
        #expect(try second.deliver(["n": 1], meta: .null).value == ["count": 1, "peer": "nil"])
        #expect(try first.deliver(["n": 1], meta: .null).value == ["count": 4, "peer": "first"])
    }

    // MARK: - Values that explode on their way out

    @Test(arguments: [
        ("a table shared down 64 levels", "local t = {} for i = 1, 64 do t = { t, t } end return t"),
        ("a table that holds itself", "local t = {} t[1] = t t[2] = t t.x = t return t"),
        ("one big string ten thousand times", "local s = ('x'):rep(1 << 20) local t = {} for i = 1, 1e4 do t[i] = s end return t"),
    ])
    func aValueThatExpandsOnItsWayOutFailsClearly(_ name: String, _ code: String) async throws {
        let scene = try Scene()
        try scene.write("hostile.lua", """
            local function build() \(code) end
            return { api = 1,
              on_event = function(ctx, event) return build() end,
              source = function(ctx) ctx:emit(build()) end }
            """)
        let limits = LuaLimits(memory: 4 << 20, instructions: 10_000_000, timeMs: 5_000)
        let returned = try await scene.failure(of: "hostile.lua", limits: limits)
        #expect(returned?.description.contains("cannot convert") == true, "\(String(describing: returned))")
        let step = try await offThread(seconds: 10) {
            let plugin = try scene.plugin("hostile.lua", limits: limits)
            try plugin.startSource()
            return plugin.resumeSource()
        }
        guard case .failed(let emitted) = step else {
            Issue.record("emitting did not fail: \(step)")
            return
        }
        #expect(emitted.description.contains("ctx:emit: the event"), "\(emitted)")

        // In a flow: the pipeline operator's events go to err, the neighbour is untouched.
        try scene.write("pipeline.lua", """
            local function build() \(code) end
            return { api = 1, on_event = function(ctx, event) return build() end }
            """)
        let yaml = scene.flow(
            connectors: """
              feed: { type: file, config: { path: feed.jsonl } }
              errors: { type: file, config: { path: errors.jsonl, mode: truncate } }
            """,
            pipelines: """
              explode:
                - lua: { script: pipeline.lua, limits: { instructions: 10000000, memory_mb: 4, time_ms: 5000 } }
            """,
            links: ["feed -> explode", "explode/err -> errors"])
        try scene.writeFeed()
        let report = try await scene.run(yaml)
        #expect(scene.lines("errors.jsonl").count == Self.feedCount)
        #expect(report == scene.expected(hostileAcked: Self.feedCount))
        try scene.expectCalmDelivered()
    }

    // MARK: - Lua pipeline operators

    @Test func aFailingLuaOperatorSendsItsEventsToErrWithTheMessage() async throws {
        let scene = try Scene()
        try scene.write("flaky.lua", """
            return { api = 1, on_event = function(ctx, event)
              if event.n % 3 == 0 then error("refusing event " .. event.n) end
              return event
            end }
            """)
        try scene.write("tag.lua", """
            return { api = 1, on_event = function(ctx, event, meta)
              event.error = meta.error
              return event
            end }
            """)
        try scene.writeEvents("feed.jsonl", count: 30)
        let yaml = scene.flow(
            connectors: """
              feed: { type: file, config: { path: feed.jsonl } }
              passed: { type: file, config: { path: passed.jsonl, mode: truncate } }
              errors: { type: file, config: { path: errors.jsonl, mode: truncate } }
            """,
            pipelines: """
              main:
                - lua: { script: flaky.lua, limits: { instructions: 100000, time_ms: 200, memory_mb: 8 } }
              tag:
                - lua: { script: tag.lua }
            """,
            links: ["feed -> main", "main -> passed", "main/err -> tag", "tag -> errors"])
        let report = try await scene.run(yaml)
        #expect(report == scene.expected(hostileAcked: 30))
        try scene.expectCalmDelivered()
        let passed = scene.lines("passed.jsonl")
        #expect(passed == (1...30).filter { $0 % 3 != 0 }.map { #"{"n":\#($0)}"# })
        let errors = scene.lines("errors.jsonl")
        #expect(errors.count == 10)
        for (line, n) in zip(errors, stride(from: 3, through: 30, by: 3)) {
            #expect(line.contains(#""n":\#(n)"#), "\(line)")
            #expect(line.contains("pipeline main:"), "\(line)")
            #expect(line.contains("flaky.lua:2: refusing event \(n)"), "\(line)")
        }
    }

    @Test func aLoopingLuaOperatorIsStoppedAndItsEventsGoToErr() async throws {
        let scene = try Scene()
        try scene.write("looping.lua", "return { api = 1, on_event = function(ctx, event) while true do end end }")
        try scene.write("tag.lua", """
            return { api = 1, on_event = function(ctx, event, meta) event.error = meta.error return event end }
            """)
        try scene.writeFeed()
        let yaml = scene.flow(
            connectors: """
              feed: { type: file, config: { path: feed.jsonl } }
              errors: { type: file, config: { path: errors.jsonl, mode: truncate } }
            """,
            pipelines: """
              main:
                - lua: { script: looping.lua, limits: \(Self.tight) }
              tag:
                - lua: { script: tag.lua }
            """,
            links: ["feed -> main", "main -> errors", "main/err -> tag", "tag -> errors"])
        let report = try await scene.run(yaml)
        #expect(report == scene.expected(hostileAcked: Self.feedCount))
        try scene.expectCalmDelivered()
        let errors = scene.lines("errors.jsonl")
        #expect(errors.count == Self.feedCount)
        // The first two events meet the limit (the state and its one restart), the rest the stop.
        #expect(errors.prefix(2).allSatisfy { $0.contains("instruction limit exceeded") }, "\(errors)")
        #expect(errors.dropFirst(2).allSatisfy { $0.contains("stopped after repeated faults") }, "\(errors)")
    }
}
