import Foundation
import Testing
import TemblorCodecs
import TemblorConnectors
@testable import TemblorRuntime
import TemblorValue

/// Lua connectors and operators inside whole flows: what they emit arrives, what they fail
/// reaches the source, their state survives restarts.
@Suite struct LuaConnectorTests {
    /// Writes `files` into a fresh directory, parses and validates `flow.yaml` there, runs it.
    func run(_ files: [String: String], limit: Duration = .seconds(30)) async throws -> (report: FlowReport, dir: String) {
        let dir = try FlowFixtures.temporaryDirectory()
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        let flow = try FlowParser.parse(contentsOf: dir + "/flow.yaml")
        let operators = OperatorRegistry.standard.withLua(directory: dir)
        let errors = FlowValidator(catalog: FlowCatalog(connectorTypes: ConnectorRegistry.standard.infos, operators: operators)).validate(flow)
        #expect(errors.isEmpty, "\(errors)")
        let runner = FlowRunner(flow: flow, directory: dir, connectors: .standard, operators: operators)
        let report = try await withThrowingTaskGroup(of: FlowReport?.self) { group in
            group.addTask { try await runner.run() }
            group.addTask {
                try await Task.sleep(for: limit)
                runner.stop()
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            if let first { return first }
            return try await group.next()!!
        }
        return (report, dir)
    }

    func lines(_ path: String) throws -> [Value] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var codec = JSONCodec()
        return try text.split(separator: "\n").map { line in try codec.decode(Array(line.utf8)) }
    }

    static let sink = """
          out:
            type: file
            config: { path: out.jsonl, mode: truncate }
        """

    @Test func aLuaSourceEmitsEverythingAndEndsTheRun() async throws {
        let (report, dir) = try await run([
            "gen.lua": """
                return { api = 1, defaults = { count = 3 }, source = function(ctx)
                  for i = 1, ctx.config.count do
                    ctx:emit({ n = i }, { origin = "gen" })
                    if i % 100 == 0 then ctx:sleep(1) end
                  end
                end }
                """,
            "flow.yaml": """
                connectors:
                  gen: { type: lua, plugin: gen.lua, config: { count: 1000 } }
                \(Self.sink)
                links: [gen -> out]
                """,
        ])
        #expect(report == FlowReport(produced: 1000, acked: 1000, failed: 0))
        let out = try lines(dir + "/out.jsonl")
        #expect(out.map { $0["n"]?.intValue ?? 0 } == Array(1...1000))
    }

    @Test func aLuaSinkAcksWhatReturnsAndFailsWhatErrors() async throws {
        let input = (1...50).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n"
        let (report, _) = try await run([
            "in.jsonl": input,
            "picky.lua": """
                return { api = 1, on_event = function(ctx, event)
                  if event.n % 10 == 0 then error("no multiples of ten: " .. event.n) end
                end }
                """,
            "flow.yaml": """
                connectors:
                  in: { type: file, config: { path: in.jsonl } }
                  picky: { type: lua, plugin: picky.lua, limits: { max_errors: 100 } }
                links: [in -> picky]
                """,
        ])
        #expect(report == FlowReport(produced: 50, acked: 45, failed: 5))
    }

    @Test func aConnectorWithBothSidesForwardsWhatOnEventEmits() async throws {
        let input = (1...300).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n"
        let (report, dir) = try await run([
            "in.jsonl": input,
            "enrich.lua": """
                return { api = 1, defaults = { field = "seen_by" }, on_event = function(ctx, event, meta)
                  ctx.state.count = (ctx.state.count or 0) + 1
                  event[ctx.config.field] = "temblor"
                  event.count = ctx.state.count
                  ctx:emit(event, meta)
                end }
                """,
            "flow.yaml": """
                connectors:
                  in: { type: file, config: { path: in.jsonl } }
                  enrich: { type: lua, plugin: enrich.lua, config: { field: by } }
                \(Self.sink)
                links: [in -> enrich, enrich -> out]
                """,
        ])
        // 300 read and acked by the enricher, 300 forwarded and acked by the file sink.
        #expect(report == FlowReport(produced: 600, acked: 600, failed: 0))
        let out = try lines(dir + "/out.jsonl")
        #expect(out.count == 300)
        #expect(out.last == ["n": 300, "by": "temblor", "count": 300])
    }

    @Test func forwardingWithNothingLinkedFailsTheEventsInsteadOfLosingThem() async throws {
        let (report, _) = try await run([
            "in.jsonl": "{\"n\":1}\n{\"n\":2}\n",
            "fwd.lua": "return { api = 1, on_event = function(ctx, event) ctx:emit(event) end }",
            "flow.yaml": """
                connectors:
                  in: { type: file, config: { path: in.jsonl } }
                  fwd: { type: lua, plugin: fwd.lua }
                links: [in -> fwd]
                """,
        ])
        #expect(report == FlowReport(produced: 2, acked: 0, failed: 2))
    }

    @Test func emitRawIsDecodedByTheConnectorsCodecAndPreprocessors() async throws {
        let (report, dir) = try await run([
            "raw.lua": """
                return { api = 1, source = function(ctx)
                  ctx:emit_raw('{"a":1}\\n{"a":', { via = "raw" })
                  ctx:emit_raw('2}\\nnot json\\n')
                end }
                """,
            "flow.yaml": """
                connectors:
                  raw: { type: lua, plugin: raw.lua, codec: json, preprocessors: [separate] }
                \(Self.sink)
                  bad:
                    type: file
                    config: { path: bad.jsonl, mode: truncate }
                links: [raw -> out, raw/err -> bad]
                """,
        ])
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
        #expect(try lines(dir + "/out.jsonl") == [["a": 1], ["a": 2]])
        let bad = try lines(dir + "/bad.jsonl")
        #expect(bad.count == 1 && bad[0]["data"] == "not json")
    }

    @Test func stateSurvivesARestartAfterALimit() async throws {
        let input = (1...6).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n"
        let (report, dir) = try await run([
            "in.jsonl": input,
            "count.lua": """
                return { api = 1, on_event = function(ctx, event)
                  ctx.state.seen = (ctx.state.seen or 0) + 1
                  if event.n == 3 then while true do end end
                  ctx:emit({ n = event.n, seen = ctx.state.seen })
                end }
                """,
            "flow.yaml": """
                connectors:
                  in: { type: file, config: { path: in.jsonl } }
                  count: { type: lua, plugin: count.lua, limits: { instructions: 100000, backoff_ms: 10 } }
                \(Self.sink)
                links: [in -> count, count -> out]
                """,
        ])
        // Event 3 ran into the limit: it failed, the state restarted with ctx.state carried over.
        #expect(report == FlowReport(produced: 11, acked: 10, failed: 1))
        let out = try lines(dir + "/out.jsonl")
        #expect(out.map { $0["n"]?.intValue ?? 0 } == [1, 2, 4, 5, 6])
        #expect(out.map { $0["seen"]?.intValue ?? 0 } == [1, 2, 4, 5, 6])
    }

    @Test func aLuaOperatorDropsRoutesAndSendsErrorsToErr() async throws {
        let input = (1...9).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n"
        let (report, dir) = try await run([
            "in.jsonl": input,
            "route.lua": """
                return { api = 1, ports = { "odd" }, on_event = function(ctx, event)
                  if event.n == 1 then return nil end
                  if event.n == 9 then error("nine is right out") end
                  if event.n % 2 == 1 then return event, "odd" end
                  event.even = true
                  return event
                end }
                """,
            "flow.yaml": """
                connectors:
                  in: { type: file, config: { path: in.jsonl } }
                \(Self.sink)
                  odd: { type: file, config: { path: odd.jsonl, mode: truncate } }
                  err: { type: file, config: { path: err.jsonl, mode: truncate } }
                pipelines:
                  main:
                    - lua: { script: route.lua }
                links: [in -> main, main -> out, main/odd -> odd, main/err -> err]
                """,
        ])
        #expect(report == FlowReport(produced: 9, acked: 9, failed: 0))
        #expect(try lines(dir + "/out.jsonl").map { $0["n"]?.intValue ?? 0 } == [2, 4, 6, 8])
        #expect(try lines(dir + "/odd.jsonl").map { $0["n"]?.intValue ?? 0 } == [3, 5, 7])
        #expect(try lines(dir + "/err.jsonl") == [["n": 9]])
    }

    @Test func jsonReadByASourceReachesALuaSinkAsTablesAndBadLinesFail() async throws {
        // file -> lua only: the frames travel as read and the sink builds tables from the text.
        let input = #"{"level":"error","n":1,"tags":[],"meta":{}}"# + "\n" + #"{"level":"info","n":2.0}"# + "\nnot json\n"
            + #"{"level":"error","n":18446744073709551615,"none":null}"# + "\n"
        let (report, dir) = try await run([
            "in.jsonl": input,
            "check.lua": """
                local seen = {}
                return { api = 1, on_event = function(ctx, e, meta)
                  assert(getmetatable(e) == "temblor.object")
                  if e.n == 1 then
                    assert(getmetatable(e.tags) == "temblor.array" and getmetatable(e.meta) == "temblor.object")
                    assert(math.type(e.n) == "integer" and meta.stream == 0)
                  end
                  if e.level == "info" then assert(math.type(e.n) == "float") end
                  if e.none ~= nil then assert(e.none == temblor.null) end
                  ctx:emit({ level = e.level, n = e.n })
                end }
                """,
            "flow.yaml": """
                connectors:
                  in: { type: file, config: { path: in.jsonl } }
                  check: { type: lua, plugin: check.lua }
                \(Self.sink)
                links: [in -> check, check -> out]
                """,
        ])
        // Three events read, one line failed as it would have in the source; three forwarded.
        #expect(report == FlowReport(produced: 7, acked: 6, failed: 1))
        #expect(try lines(dir + "/out.jsonl") == [
            ["level": "error", "n": 1], ["level": "info", "n": 2.0], ["level": "error", "n": .uint(18_446_744_073_709_551_615)],
        ])
    }

    @Test(arguments: ["[passthrough]", "[passthrough, lua: { script: same.lua }]"])
    func jsonThroughAPipelineReachesALuaSinkAsTablesAndBadLinesFail(pipeline: String) async throws {
        // file -> pipeline -> lua: a passthrough pipeline forwards the frames as read; an
        // operator that needs values decodes them first. Either way the sink sees the same
        // tables, and the line that is not JSON fails once, back to its source.
        let input = #"{"level":"error","n":1,"tags":[]}"# + "\n" + #"{"level":"info","n":2.0}"# + "\nnot json\n"
            + #"{"level":"error","n":18446744073709551615,"none":null}"# + "\n"
        let (report, dir) = try await run([
            "in.jsonl": input,
            "same.lua": "return { api = 1, on_event = function(ctx, e) return e end }",
            "check.lua": """
                return { api = 1, on_event = function(ctx, e, meta)
                  assert(getmetatable(e) == "temblor.object")
                  if e.n == 1 then assert(getmetatable(e.tags) == "temblor.array" and math.type(e.n) == "integer") end
                  if e.level == "info" then assert(math.type(e.n) == "float") end
                  if e.none ~= nil then assert(e.none == temblor.null) end
                  ctx:emit({ level = e.level, n = e.n, stream = meta.stream })
                end }
                """,
            "flow.yaml": """
                connectors:
                  in: { type: file, config: { path: in.jsonl } }
                  check: { type: lua, plugin: check.lua }
                \(Self.sink)
                pipelines:
                  p: \(pipeline)
                links: [in -> p, p -> check, check -> out]
                """,
        ])
        #expect(report == FlowReport(produced: 7, acked: 6, failed: 1))
        #expect(try lines(dir + "/out.jsonl") == [
            ["level": "error", "n": 1, "stream": 0], ["level": "info", "n": 2.0, "stream": 0],
            ["level": "error", "n": .uint(18_446_744_073_709_551_615), "stream": 0],
        ])
    }

    @Test func rawJSONRoutesOnlyWhereEverythingReachedIsLua() throws {
        let flow = try FlowParser.parse(
            yaml: """
                connectors:
                  a: { type: file, config: { path: a } }
                  b: { type: file, config: { path: b } }
                  c: { type: file, codec: msgpack, config: { path: c } }
                  d: { type: file, config: { path: d } }
                  e: { type: file, config: { path: e } }
                  g: { type: file, config: { path: g } }
                  l1: { type: lua, plugin: x.lua }
                  l2: { type: lua, plugin: x.lua }
                  l3: { type: lua, plugin: x.lua }
                  l4: { type: lua, plugin: x.lua }
                  f: { type: file, config: { path: f } }
                pipelines:
                  p: [passthrough]
                  q: [passthrough]
                  r: [passthrough]
                links:
                  - a -> l1
                  - b -> l2
                  - b -> f
                  - c -> l3
                  - d -> l4
                  - d/err -> f
                  - a -> p
                  - p -> l1
                  - p/err -> r
                  - r -> l2
                  - e -> q
                  - q -> l4
                  - q/err -> f
                  - g -> l4
                """, file: "flow.yaml")
        // a reaches Lua only, through pipelines; b also feeds a file sink, c is msgpack, d's
        // errors are linked, e's pipeline sends its errors to a file sink; g feeds Lua directly.
        let routes = FlowRunner.rawJSONRoutes(flow) { $0.codec?.name ?? "json" }
        #expect(routes == ["a", "g"])
        let simple = try FlowParser.parse(
            yaml: """
                connectors:
                  a: { type: file, config: { path: a } }
                  b: { type: stdio }
                  l1: { type: lua, plugin: x.lua }
                  l2: { type: lua, plugin: x.lua }
                links: [a -> l1, b -> l1, a -> l2]
                """, file: "flow.yaml")
        #expect(FlowRunner.rawJSONRoutes(simple) { $0.codec?.name ?? "json" } == ["a", "b"])
        // A connector granted host I/O takes events one at a time in coroutines, as values; an
        // `allow:` that grants nothing changes nothing.
        let granted = try FlowParser.parse(
            yaml: """
                connectors:
                  a: { type: file, config: { path: a } }
                  b: { type: file, config: { path: b } }
                  l1: { type: lua, plugin: x.lua, allow: { net: ["127.0.0.1:6379"] } }
                  l2: { type: lua, plugin: x.lua, allow: { net: [], read: [] } }
                links: [a -> l1, b -> l2]
                """, file: "flow.yaml")
        #expect(FlowRunner.rawJSONRoutes(granted) { $0.codec?.name ?? "json" } == ["b"])
    }

    @Test func aPluginThatCannotLoadIsReportedByValidationWithFileAndLine() throws {
        let dir = try FlowFixtures.temporaryDirectory()
        try "return { api = 1, on_event = function(ctx) x = = 1 end }".write(toFile: dir + "/broken.lua", atomically: true, encoding: .utf8)
        try "return { api = 2 }".write(toFile: dir + "/future.lua", atomically: true, encoding: .utf8)
        try """
            connectors:
              broken: { type: lua, plugin: broken.lua }
              future: { type: lua, plugin: future.lua }
              limited: { type: lua, plugin: broken.lua, limits: { memory_mb: 0 } }
            pipelines:
              main:
                - lua: { script: missing.lua }
            links: []
            """.write(toFile: dir + "/flow.yaml", atomically: true, encoding: .utf8)
        let flow = try FlowParser.parse(contentsOf: dir + "/flow.yaml")
        let operators = OperatorRegistry.standard.withLua(directory: dir)
        let errors = FlowValidator(catalog: FlowCatalog(connectorTypes: ConnectorRegistry.standard.infos, operators: operators))
            .validate(flow).map(\.description)
        #expect(errors.contains { $0.contains("flow.yaml:2:") && $0.contains("broken.lua:1:") && $0.contains("unexpected symbol near '='") })
        #expect(errors.contains { $0.contains("future.lua: written for host API 2, but this Temblor provides host API 1") })
        #expect(errors.contains { $0.contains("'limits.memory_mb': expected an integer in 1...65536, got 0") })
        #expect(errors.contains { $0.contains("missing.lua: cannot read the plugin") })
    }
}
