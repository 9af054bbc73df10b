import Foundation
import Testing
import TemblorConnectors
import TemblorLua
import TemblorRuntime
import TemblorValue

/// Hot reload of Lua plugins while a flow runs (DESIGN §5): each version is loaded in a fresh
/// state and swapped in between batches, `on_reload` carries the state, a version that fails
/// leaves the running one in place, and no event is lost or handled twice.
@Suite struct LuaReloadTests {
    /// A running flow of `scene` and its runner, for reloads while it runs.
    struct Running {
        let runner: FlowRunner
        let task: Task<FlowReport, any Error>

        func reload() async -> [PluginReloadOutcome] { await runner.reloader.reload() }
        func end() async throws -> FlowReport { try await task.value }
    }

    func start(_ scene: Scene, _ yaml: String) throws -> Running {
        let flow = try FlowParser.parse(yaml: yaml, file: scene.dir + "/flow.yaml")
        let errors = FlowValidator(catalog: scene.catalog).validate(flow)
        try #require(errors.isEmpty, "\(errors)")
        let runner = FlowRunner(flow: flow, directory: scene.dir, connectors: .standard, operators: OperatorRegistry.standard.withLua(directory: scene.dir))
        return Running(runner: runner, task: Task { try await runner.run() })
    }

    /// Waits until the run registered its plugins with the reloader and, with `output`, until
    /// the first events came out (the plugin loaded and connected).
    func registered(_ running: Running, output: String? = nil) async throws {
        for _ in 0..<500 {
            let registered = await !running.runner.reloader.directories.isEmpty
            let flowing = output.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int).flatMap { $0 } ?? 0 > 0 } ?? true
            if registered && flowing { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the flow did not start")
    }

    /// A tagging plugin: each event leaves with the version that handled it and the count of
    /// events the state saw so far (carried across versions by `on_reload`).
    static func tagger(version: Int, extra: String = "") -> String {
        """
        return { api = 1, name = "tagger",
          on_reload = function(ctx, old)
            old.reloads = (old.reloads or 0) + 1
            return old
          end,
          on_event = function(ctx, event)
            ctx.state.seen = (ctx.state.seen or 0) + 1
            ctx:emit({ n = event.n, tag = \(version), seen = ctx.state.seen, reloads = ctx.state.reloads or 0 })
          end,
          \(extra)
        }
        """
    }

    func taggerFlow(_ scene: Scene, events: Int) throws -> String {
        try scene.writeEvents("in.jsonl", count: events)
        try scene.write("tagger.lua", Self.tagger(version: 0))
        return """
            connectors:
              in: { type: file, config: { path: in.jsonl } }
              tagger: { type: lua, plugin: tagger.lua, config: { label: "tags" } }
              out: { type: file, config: { path: out.jsonl, mode: truncate } }
            links:
              - in -> tagger
              - tagger -> out
            """
    }

    /// The output lines as (n, tag, seen, reloads), read without JSON parsing (1M lines).
    func tagged(_ scene: Scene) throws -> [(n: Int, tag: Int, seen: Int, reloads: Int)] {
        try String(contentsOfFile: scene.dir + "/out.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            var fields: [String: Int] = [:]
            for pair in line.dropFirst().dropLast().split(separator: ",") {
                let parts = pair.split(separator: ":")
                fields[String(parts[0].dropFirst().dropLast())] = Int(parts[1])
            }
            return (fields["n"] ?? -1, fields["tag"] ?? -1, fields["seen"] ?? -1, fields["reloads"] ?? -1)
        }
    }

    @Test func aMillionEventsThroughAHundredVersionsArriveExactlyOnceInOrder() async throws {
        let scene = try Scene()
        let total = 1_000_000
        let running = try start(scene, try taggerFlow(scene, events: total))
        try await registered(running, output: scene.dir + "/out.jsonl")
        var swapped = 0
        var failures: [String] = []
        for version in 1...100 {
            // Version 50 does not compile: nothing changes, and it is reported.
            let broken = version == 50
            try scene.write("tagger.lua", broken ? "return { api = 1, on_event = function(ctx, event) oops end" : Self.tagger(version: version))
            for outcome in await running.reload() {
                switch outcome.result {
                case .swapped: swapped += 1
                case .failed(let message): failures.append(message)
                case .unchanged: Issue.record("version \(version) was not seen as a change")
                }
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        let report = try await running.end()
        // Each event is produced twice: by the file, then by the tagger that forwards it.
        #expect(report == FlowReport(produced: 2 * total, acked: 2 * total, failed: 0))
        #expect(swapped == 99)
        #expect(failures.count == 1)
        #expect(failures.first?.contains("tagger.lua:1:") == true, "\(failures)")
        let lines = try tagged(scene)
        #expect(lines.count == total)
        // Every event once, in order; each version's state saw exactly the events before it
        // (the count carried through on_reload); the versions only go up, and never 50.
        var previousTag = 0
        var ordered = true, counted = true, monotonic = true
        for (index, line) in lines.enumerated() {
            ordered = ordered && line.n == index + 1
            counted = counted && line.seen == index + 1
            monotonic = monotonic && line.tag >= previousTag && line.tag != 50
            previousTag = line.tag
        }
        #expect(ordered)
        #expect(counted)
        #expect(monotonic)
        #expect(Set(lines.map(\.tag)).count > 2, "the reloads all happened outside the run")
        // on_reload ran once per swap, on the state it was given.
        #expect(lines.last.map { $0.reloads == $0.tag - (($0.tag > 50) ? 1 : 0) } == true, "\(String(describing: lines.last))")
    }

    @Test func aVersionThatFailsLeavesTheOldOneRunningAndTheNextGoodOneLoads() async throws {
        let scene = try Scene()
        let running = try start(scene, try taggerFlow(scene, events: 20_000))
        try await registered(running, output: scene.dir + "/out.jsonl")
        let cases: [(String, String)] = [
            ("return { api = 2, on_event = function(ctx, e) end }", "written for host API 2, but this Temblor provides host API 1"),
            (Self.tagger(version: 7, extra: "connect = function(ctx) error('no connection today') end,"), "no connection today"),
            (Self.tagger(version: 7, extra: "").replacingOccurrences(of: "old.reloads = (old.reloads or 0) + 1", with: "error('cannot carry this state')"), "cannot carry this state"),
            ("while true do end", "instruction limit exceeded"),
            ("return { api = 1, source = function(ctx) end }", "has no on_event"),
            (Self.tagger(version: 7, extra: "defaults = { label = 5 },"), "config.label is a string in the flow, but the new version's default is a number"),
        ]
        for (text, expected) in cases {
            try scene.write("tagger.lua", text)
            let outcomes = await running.reload()
            #expect(outcomes.count == 1)
            guard case .failed(let message)? = outcomes.first?.result else {
                Issue.record("\(expected): \(outcomes)")
                continue
            }
            #expect(message.contains(expected), "\(message)")
        }
        try scene.write("tagger.lua", Self.tagger(version: 8))
        let good = await running.reload()
        guard case .swapped(let old, let new, _)? = good.first?.result else {
            Issue.record("\(good)")
            return
        }
        #expect(old != new)
        // The same content again is no change.
        guard case .unchanged? = await running.reload().first?.result else {
            Issue.record("saving the same content reloaded")
            return
        }
        let report = try await running.end()
        #expect(report == FlowReport(produced: 40_000, acked: 40_000, failed: 0))
        let lines = try tagged(scene)
        #expect(lines.map(\.n) == Array(1...20_000))
        #expect(Set(lines.map(\.tag)).isSubset(of: [0, 8]))
    }

    @Test func aReloadedSourceStartsAgainFromTheTopWithItsState() async throws {
        let scene = try Scene()
        func source(_ version: Int) -> String {
            """
            return { api = 1,
              source = function(ctx)
                while ctx:running() and (ctx.state.next or 1) <= 300 do
                  local n = ctx.state.next or 1
                  ctx:emit({ n = n, tag = \(version) })
                  ctx.state.next = n + 1
                  if n % 10 == 0 then ctx:sleep(1) end
                end
              end }
            """
        }
        try scene.write("counter.lua", source(1))
        let running = try start(scene, """
            connectors:
              counter: { type: lua, plugin: counter.lua }
              out: { type: file, config: { path: out.jsonl, mode: truncate } }
            links:
              - counter -> out
            """)
        try await registered(running)
        try await Task.sleep(for: .milliseconds(20))
        try scene.write("counter.lua", source(2))
        let outcomes = await running.reload()
        let report = try await running.end()
        guard case .swapped? = outcomes.first?.result else {
            Issue.record("\(outcomes)")
            return
        }
        #expect(report == FlowReport(produced: 300, acked: 300, failed: 0))
        let lines = try scene.lines("out.jsonl").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Int]) }
        // Nothing emitted twice or skipped: the new version went on from ctx.state.next.
        #expect(lines.map { $0["n"] } == (1...300).map { $0 })
        #expect(lines.map { $0["tag"] ?? 0 } == lines.map { $0["tag"] ?? 0 }.sorted())
    }

    @Test func aLuaOperatorReloadsTheSameWay() async throws {
        let scene = try Scene()
        try scene.writeEvents("in.jsonl", count: 5_000)
        func op(_ version: Int) -> String {
            """
            return { api = 1,
              on_reload = function(ctx, old) return { count = old.count, versions = (old.versions or 1) + 1 } end,
              on_event = function(ctx, event)
                ctx.state.count = (ctx.state.count or 0) + 1
                event.tag = \(version)
                event.count = ctx.state.count
                return event
              end }
            """
        }
        try scene.write("op.lua", op(1))
        let running = try start(scene, """
            connectors:
              in: { type: file, config: { path: in.jsonl } }
              out: { type: file, config: { path: out.jsonl, mode: truncate } }
            pipelines:
              main:
                - lua: { script: op.lua }
            links:
              - in -> main
              - main -> out
            """)
        try await registered(running)
        var swaps = 0
        for version in 2...6 {
            try scene.write("op.lua", op(version))
            if case .swapped? = await running.reload().first?.result { swaps += 1 }
        }
        let report = try await running.end()
        #expect(swaps == 5)
        #expect(report == FlowReport(produced: 5_000, acked: 5_000, failed: 0))
        let lines = try scene.lines("out.jsonl").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Int]) }
        #expect(lines.map { $0["n"] } == (1...5_000).map { $0 })
        #expect(lines.map { $0["count"] } == (1...5_000).map { $0 })
        #expect(lines.map { $0["tag"] ?? 0 } == lines.map { $0["tag"] ?? 0 }.sorted())
    }

    @Test func aConnectorWaitingOnHostIOFinishesInTheOldStateAndTheNewOneConnectsAgain() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let scene = try Scene()
        try scene.writeEvents("in.jsonl", count: 3_000)
        func echo(_ version: Int) -> String {
            """
            local sock
            return { api = 1,
              connect = function(ctx) sock = assert(temblor.tcp.connect("127.0.0.1", ctx.config.port)) return true end,
              on_event = function(ctx, event)
                assert(sock:send(event.n .. "\\n"))
                local back = assert(sock:receive("*l"))
                ctx:emit({ n = tonumber(back), tag = \(version) })
              end }
            """
        }
        try scene.write("echo.lua", echo(1))
        let running = try start(scene, """
            connectors:
              in: { type: file, config: { path: in.jsonl } }
              echo: { type: lua, plugin: echo.lua, allow: { net: ["127.0.0.1:\(peer.port)"] }, config: { port: \(peer.port) } }
              out: { type: file, config: { path: out.jsonl, mode: truncate } }
            links:
              - in -> echo
              - echo -> out
            """)
        try await registered(running, output: scene.dir + "/out.jsonl")
        try scene.write("echo.lua", echo(2))
        let outcomes = await running.reload()
        let report = try await running.end()
        guard case .swapped? = outcomes.first?.result else {
            Issue.record("\(outcomes)")
            return
        }
        #expect(report == FlowReport(produced: 6_000, acked: 6_000, failed: 0))
        let lines = try scene.lines("out.jsonl").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Int]) }
        #expect(lines.map { $0["n"] } == (1...3_000).map { $0 })
        #expect(lines.map { $0["tag"] ?? 0 } == lines.map { $0["tag"] ?? 0 }.sorted())
        // Each version had its own connection; the old one was closed by the swap, the new one at the end.
        #expect(peer.connected == 2)
        #expect(try await peer.wait { $0.ended == 2 })
    }

    @Test func aStateRestartedAfterARefusedVersionRunsTheVersionThatWasRunning() async throws {
        let scene = try Scene()
        // A slow source of its own directory, so that the refused save comes before event 100.
        try scene.write("gen/gen.lua", """
            return { api = 1, source = function(ctx)
              for n = 1, 200 do ctx:emit({ n = n }) ctx:sleep(2) end
            end }
            """)
        try scene.write("sink/tagger.lua", """
            return { api = 1,
              on_event = function(ctx, event)
                if event.n == 100 and not ctx.state.broke then ctx.state.broke = true error("broken on purpose") end
                ctx:emit({ n = event.n, tag = 1 })
              end }
            """)
        let running = try start(scene, """
            connectors:
              gen: { type: lua, plugin: gen/gen.lua }
              tagger: { type: lua, plugin: sink/tagger.lua, limits: { max_errors: 1, backoff_ms: 10 } }
              out: { type: file, config: { path: out.jsonl, mode: truncate } }
            links:
              - gen -> tagger
              - tagger -> out
            """)
        try await registered(running, output: scene.dir + "/out.jsonl")
        try scene.write("sink/tagger.lua", "return { api = 1, on_event = function(ctx, event) oops end")
        let refused = await running.reload().filter { $0.node == "tagger" }
        let report = try await running.end()
        guard case .failed? = refused.first?.result else {
            Issue.record("\(refused)")
            return
        }
        let lines = try scene.lines("out.jsonl").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Int]) }
        #expect(lines.first.map { $0["n"] ?? 0 < 100 } == true, "the refused save came too late to matter")
        // Event 100 failed and restarted the state: the restart ran the version that was running
        // (tag 1), not the broken file, so every other event went on.
        #expect(report == FlowReport(produced: 399, acked: 398, failed: 1))
        #expect(lines.map { $0["n"] } == (1...200).filter { $0 != 100 }.map { $0 })
        #expect(lines.allSatisfy { $0["tag"] == 1 })
    }
}
