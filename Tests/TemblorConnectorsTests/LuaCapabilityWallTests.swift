import Foundation
import Testing
import TemblorConnectors
import TemblorLua
import TemblorRuntime
import TemblorValue

/// The walls around a Lua connector's host I/O (DESIGN §3): what the flow does not grant is
/// refused with a message naming the grant, limits hold, a silent peer times out, and closing a
/// state closes what it opened. Each run has a well-behaved neighbour whose events all arrive.
@Suite struct LuaCapabilityWallTests {
    static let feedCount = 5

    /// `feed` (5 events) into the Lua connector `probe`, which reports what each attempt gave
    /// with `ctx:emit` into probe_out.jsonl.
    func runProbe(_ scene: Scene, code: String, allow: String, config: String = "{}", limits: String = "{}") async throws -> FlowReport {
        try scene.writeEvents("feed.jsonl", count: Self.feedCount)
        try scene.write("probe.lua", """
            return { api = 1, on_event = function(ctx, event)
              \(code)
            end }
            """)
        return try await scene.run(scene.flow(
            connectors: """
              feed: { type: file, config: { path: feed.jsonl } }
              probe: { type: lua, plugin: probe.lua, allow: \(allow), config: \(config), limits: \(limits) }
              probe_out: { type: file, config: { path: probe_out.jsonl, mode: truncate } }
            """,
            links: ["feed -> probe", "probe -> probe_out"]))
    }

    /// The probe's reports, parsed.
    func reports(_ scene: Scene) throws -> [[String: Any]] {
        try scene.lines("probe_out.jsonl").map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// Every probe event and every neighbour event arrived; nothing failed.
    func expectAllDelivered(_ report: FlowReport, _ scene: Scene) throws {
        let calm = LuaHostilePluginTests.calmCount
        #expect(report == FlowReport(produced: calm + 2 * Self.feedCount, acked: calm + 2 * Self.feedCount, failed: 0))
        try scene.expectCalmDelivered()
    }

    @Test func aPortThatIsNotGrantedIsRefusedWhileTheGrantedOneWorks() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let denied = try await LuaIOFixtures.unusedPort()
        let scene = try Scene()
        // The grant names the host, the script an address: they meet after the lookup.
        let report = try await runProbe(scene, code: """
            local refused, err = temblor.tcp.connect("127.0.0.1", ctx.config.denied)
            local sock = assert(temblor.tcp.connect("127.0.0.1", ctx.config.granted, { timeout_ms = 2000 }))
            assert(sock:send("ping " .. event.n .. "\\n"))
            local echo = assert(sock:receive("*l"))
            sock:close()
            ctx:emit({ n = event.n, refused = refused == nil, err = err, echo = echo })
            """, allow: "{ net: [\"localhost:\(peer.port)\"] }", config: "{ granted: \(peer.port), denied: \(denied) }")
        try expectAllDelivered(report, scene)
        let lines = try reports(scene)
        #expect(lines.map { $0["echo"] as? String } == (1...Self.feedCount).map { "ping \($0)" })
        #expect(lines.allSatisfy { $0["refused"] as? Bool == true })
        #expect(lines.allSatisfy {
            $0["err"] as? String == "net access to 127.0.0.1:\(denied) is not granted to connector 'probe'; add \"127.0.0.1:\(denied)\" to its allow.net"
        })
    }

    @Test func filesOutsideTheGrantsAreRefusedThroughDotDotAndSymlinksToo() async throws {
        let scene = try Scene()
        let real = URL(fileURLWithPath: scene.dir).resolvingSymlinksInPath().path
        try scene.write("data/ok.txt", "fine\n")
        try scene.write("secret.txt", "hidden\n")
        try scene.write("elsewhere/keep.txt", "")
        try FileManager.default.createDirectory(atPath: scene.dir + "/out", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scene.dir + "/data/link.txt", withDestinationPath: scene.dir + "/secret.txt")
        try FileManager.default.createSymbolicLink(atPath: scene.dir + "/out/escape", withDestinationPath: scene.dir + "/elsewhere")
        let report = try await runProbe(scene, code: """
            local report = { n = event.n, ok = assert(temblor.fs.read("data/ok.txt")) }
            report.wrote = assert(temblor.fs.append("out/log.txt", event.n .. "\\n"))
            _, report.passwd = temblor.fs.read("/etc/passwd")
            _, report.dotdot = temblor.fs.read("data/../secret.txt")
            _, report.link = temblor.fs.read("data/link.txt")
            _, report.readonly = temblor.fs.write("data/new.txt", "x")
            _, report.linked_dir = temblor.fs.write("out/escape/planted.txt", "x")
            _, report.listed = temblor.fs.list("elsewhere")
            ctx:emit(report)
            """, allow: "{ read: [data], write: [out] }")
        try expectAllDelivered(report, scene)
        func denied(_ kind: LuaCapabilities.Kind, _ path: String) -> String { LuaCapabilities.denial(kind, of: path, connector: "probe") }
        for line in try reports(scene) {
            #expect(line["ok"] as? String == "fine\n")
            #expect(line["wrote"] as? Int == 2)
            #expect(line["passwd"] as? String == denied(.read, "/etc/passwd"))
            #expect(line["dotdot"] as? String == denied(.read, real + "/secret.txt"))
            #expect(line["link"] as? String == denied(.read, real + "/secret.txt"))
            #expect(line["readonly"] as? String == denied(.write, real + "/data/new.txt"))
            #expect(line["linked_dir"] as? String == denied(.write, real + "/elsewhere/planted.txt"))
            #expect(line["listed"] as? String == denied(.read, real + "/elsewhere"))
        }
        // What was granted was written; nothing was planted outside.
        #expect(scene.lines("out/log.txt") == (1...Self.feedCount).map(String.init))
        #expect(!FileManager.default.fileExists(atPath: scene.dir + "/elsewhere/planted.txt"))
    }

    @Test func socketsBeyondTheCapAreRefusedAndClosingOneMakesRoom() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let scene = try Scene()
        let report = try await runProbe(scene, code: """
            local open = {}
            for i = 1, 2 do open[i] = assert(temblor.tcp.connect("127.0.0.1", ctx.config.port)) end
            local extra, err = temblor.tcp.connect("127.0.0.1", ctx.config.port)
            open[1]:close()
            local again = assert(temblor.tcp.connect("127.0.0.1", ctx.config.port))
            again:close()
            open[2]:close()
            ctx:emit({ n = event.n, extra = extra == nil, err = err })
            """, allow: "{ net: [\"127.0.0.1:\(peer.port)\"] }", config: "{ port: \(peer.port) }", limits: "{ sockets: 2 }")
        try expectAllDelivered(report, scene)
        for line in try reports(scene) {
            #expect(line["extra"] as? Bool == true)
            #expect(line["err"] as? String == "too many open sockets (limits.sockets is 2); close the ones you no longer use")
        }
        // Two sockets and the one opened after a close, per event; every one was closed.
        #expect(peer.connected == 3 * Self.feedCount)
        #expect(try await peer.wait { $0.ended == 3 * Self.feedCount })
    }

    @Test func aPeerThatNeverAnswersTimesOutAndTheCoroutineGetsNilTimeout() async throws {
        let peer = try await LuaIOTestPeer.start(.silent)
        defer { Task { await peer.stop() } }
        let scene = try Scene()
        let report = try await runProbe(scene, code: """
            local sock = assert(temblor.tcp.connect("127.0.0.1", ctx.config.port))
            local line, err = sock:receive("*l", { timeout_ms = 50 })
            sock:settimeout(50)
            local exact, again = sock:receive(4)
            sock:close()
            ctx:emit({ n = event.n, line = line == nil, err = err, again = again })
            """, allow: "{ net: [\"127.0.0.1:\(peer.port)\"] }", config: "{ port: \(peer.port) }")
        try expectAllDelivered(report, scene)
        for line in try reports(scene) {
            #expect(line["line"] as? Bool == true)
            #expect(line["err"] as? String == "timeout")
            #expect(line["again"] as? String == "timeout")
        }
    }

    @Test func aPluginGrantedNothingIsRefusedAndItsEventsFailWhenItInsists() async throws {
        let scene = try Scene()
        try scene.writeEvents("feed.jsonl", count: Self.feedCount)
        try scene.write("probe.lua", """
            return { api = 1, on_event = function(ctx, event) assert(temblor.fs.read("/etc/passwd")) end }
            """)
        let report = try await scene.run(scene.flow(
            connectors: """
              feed: { type: file, config: { path: feed.jsonl } }
              probe: { type: lua, plugin: probe.lua, limits: { max_errors: 100 } }
            """,
            links: ["feed -> probe"]))
        let calm = LuaHostilePluginTests.calmCount
        #expect(report == FlowReport(produced: calm + Self.feedCount, acked: calm, failed: Self.feedCount))
        try scene.expectCalmDelivered()
    }

    @Test func closingAStateClosesItsSocketsOnRestartAndAtTheEnd() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let scene = try Scene()
        try scene.writeEvents("feed.jsonl", count: Self.feedCount)
        // The socket opened in connect lives as long as the state; event 3 breaks the state,
        // whose restart connects again.
        try scene.write("holder.lua", """
            local sock
            return { api = 1,
              connect = function(ctx) sock = assert(temblor.tcp.connect("127.0.0.1", ctx.config.port)) return true end,
              on_event = function(ctx, event)
                if event.n == 3 and not ctx.state.broke then ctx.state.broke = true error("broken on purpose") end
                assert(sock:send(event.n .. "\\n"))
                assert(sock:receive())
              end }
            """)
        let report = try await scene.run(scene.flow(
            connectors: """
              feed: { type: file, config: { path: feed.jsonl } }
              holder: { type: lua, plugin: holder.lua, allow: { net: ["127.0.0.1:\(peer.port)"] }, config: { port: \(peer.port) },
                        limits: { max_errors: 1, backoff_ms: 10 } }
            """,
            links: ["feed -> holder"]))
        let calm = LuaHostilePluginTests.calmCount
        #expect(report == FlowReport(produced: calm + Self.feedCount, acked: calm + Self.feedCount - 1, failed: 1))
        try scene.expectCalmDelivered()
        #expect(peer.connected == 2)
        #expect(try await peer.wait { $0.ended == 2 })
    }

    @Test func checkReportsAGrantItCannotReadWithItsKey() throws {
        let scene = try Scene()
        try scene.write("probe.lua", "return { api = 1, on_event = function(ctx, event) end }")
        let errors = try scene.validationErrors("""
            connectors:
              probe: { type: lua, plugin: probe.lua, allow: { net: ["redis"] } }
            """)
        #expect(errors.map(\.message).contains(
            "connector 'probe': 'allow.net': 'redis': expected \"host:port\", \"host:*\" or \"*:port\""))
    }

    @Test(arguments: ["while ctx:running() do", "while true do"])
    func stoppingTheFlowEndsASourceWaitingOnHostIO(_ loop: String) async throws {
        let port = try await LuaIOFixtures.unusedUDPPort()
        let scene = try Scene()
        try scene.write("listener.lua", """
            return { api = 1, source = function(ctx)
              local sock = assert(temblor.udp.bind("127.0.0.1", \(port)))
              \(loop)
                local data, err = sock:receivefrom({ timeout_ms = 600000 })
                if data then ctx:emit({ data = data }) end
              end
            end }
            """)
        let flow = try FlowParser.parse(yaml: """
            connectors:
              listener: { type: lua, plugin: listener.lua, allow: { net: ["127.0.0.1:\(port)"] } }
              out: { type: file, config: { path: out.jsonl, mode: truncate } }
            links:
              - listener -> out
            """, file: scene.dir + "/flow.yaml")
        let runner = FlowRunner(flow: flow, directory: scene.dir, connectors: .standard, operators: .standard)
        let run = Task { try await runner.run() }
        try await Task.sleep(for: .milliseconds(300))
        runner.stop()
        // The wait ends at once (its call returns nil, "cancelled"), whether the loop asks
        // ctx:running() or not: the run ends, without waiting out the ten-minute timeout.
        let report = try await within(seconds: 10) { try await run.value }
        #expect(report == FlowReport(produced: 0, acked: 0, failed: 0))
    }
}
