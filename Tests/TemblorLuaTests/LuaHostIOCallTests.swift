import Foundation
import Testing
import TemblorLua
import TemblorValue

/// How a plugin's host I/O calls reach the host: the calling coroutine stops with the request,
/// resumes with the results (`nil, err` on failure), and calls the flow did not grant are
/// refused at once with a message naming the capability.
@Suite struct LuaHostIOCallTests {
    static let granted = LuaCapabilities(net: [.init(host: "127.0.0.1", port: 6379)], read: ["/data"], directory: "/flows")

    func plugin(_ source: String, capabilities: LuaCapabilities = granted) throws -> LuaPlugin {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("plugin.lua").path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return try LuaPlugin(path: path, instance: "conn", capabilities: capabilities)
    }

    /// Answers each request the callback waits on with the next of `answers`, checking it was
    /// the expected one, and returns the callback's result.
    func drive(_ first: LuaCallStep, on plugin: LuaPlugin, _ script: [(LuaIORequest, LuaIOResult)]) throws -> LuaEventResult {
        var step = first
        var remaining = script[...]
        while true {
            switch step {
            case .finished(let result):
                #expect(remaining.isEmpty, "requests never made: \(remaining.map(\.0))")
                return result
            case .failed(let error):
                throw error
            case .waiting(let call, let request):
                guard let (expected, answer) = remaining.popFirst() else {
                    Issue.record("unexpected request \(request)")
                    throw LuaError.runtime("unexpected")
                }
                #expect(request == expected)
                step = plugin.resume(call, with: answer)
            }
        }
    }

    @Test func onEventWaitsOnEachCallAndGetsItsResults() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              local sock = assert(temblor.tcp.connect("127.0.0.1", 6379, { timeout_ms = 500 }))
              assert(sock:send("PING\\r\\n") == 6)
              local line = assert(sock:receive("*l"))
              local exact = assert(sock:receive(3))
              local upto = assert(sock:receive_until("--"))
              local none, err = sock:receive()
              sock:close()
              return { line = line, exact = exact, upto = upto, err = err, none = none == nil }
            end }
            """)
        let result = try drive(p.beginEvent(["n": 1], meta: .null), on: p, [
            (.tcpConnect(host: "127.0.0.1", port: 6379, timeoutMs: 500), .values([.int(7)])),
            (.tcpSend(handle: 7, bytes: Array("PING\r\n".utf8), timeoutMs: nil), .values([.int(6)])),
            (.tcpReceive(handle: 7, pattern: .line, timeoutMs: nil), .values([.bytes(Array("+PONG".utf8))])),
            (.tcpReceive(handle: 7, pattern: .count(3), timeoutMs: nil), .values([.bytes([0xff, 0, 0x41])])),
            (.tcpReceive(handle: 7, pattern: .delimiter(Array("--".utf8)), timeoutMs: nil), .values([.bytes(Array("ab".utf8))])),
            (.tcpReceive(handle: 7, pattern: .line, timeoutMs: nil), .failure("timeout")),
        ])
        // Binary data arrives as a Lua string, bytes intact.
        #expect(result.value == ["line": "+PONG", "exact": .bytes([0xff, 0, 0x41]), "upto": "ab", "err": "timeout", "none": true])
        #expect(p.closedHandles == [7])
    }

    @Test func tlsIsAskedForWithAnOptionAndABadOneIsAnError() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              local sock = assert(temblor.tcp.connect("db.internal", 5432, { tls = true }))
              sock:close()
              local ok, err = pcall(temblor.tcp.connect, "db.internal", 5432, { tls = "yes" })
              return { ok = ok, err = err }
            end }
            """)
        let result = try drive(p.beginEvent(["n": 1], meta: .null), on: p, [
            (.tcpConnect(host: "db.internal", port: 5432, timeoutMs: nil, tls: true), .values([.int(3)])),
        ])
        #expect(result.value?["ok"] == false)
        #expect(result.value?["err"]?.stringValue?.contains("tls must be true or false") == true)
    }

    @Test func callsTheFlowDidNotGrantAreRefusedAtOnceNamingTheCapability() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              local a, netErr = temblor.udp.open()
              local b, writeErr = temblor.fs.write("out.txt", "x")
              return { a = a == nil, net = netErr, write = writeErr }
            end }
            """, capabilities: LuaCapabilities(read: ["/data"]))
        let result = try drive(p.beginEvent(.null, meta: .null), on: p, [])
        #expect(result.value == [
            "a": true,
            "net": "net access (a UDP socket) is not granted to connector 'conn'; add the addresses it may reach to its allow.net",
            "write": "write access to out.txt is not granted to connector 'conn'; add the file or a directory holding it to its allow.write",
        ])
    }

    @Test func aPluginWithoutGrantsRunsDirectlyAndIsRefused() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              local sock, err = temblor.tcp.connect("127.0.0.1", 6379)
              return err
            end }
            """, capabilities: LuaCapabilities())
        let result = try p.deliver(.null, meta: .null)
        #expect(result.value == "net access to 127.0.0.1:6379 is not granted to connector 'conn'; add \"127.0.0.1:6379\" to its allow.net")
    }

    @Test func aCoroutineOfTheScriptsOwnCannotWait() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              local co = coroutine.wrap(function() return temblor.fs.read("/data/x") end)
              local data, err = co()
              return err
            end }
            """)
        let result = try drive(p.beginEvent(.null, meta: .null), on: p, [])
        guard case .string(let message)? = result.value else { Issue.record("no message"); return }
        #expect(message.hasPrefix("host I/O cannot wait here"))
    }

    @Test func hooksTimersAndSleepWaitToo() throws {
        let p = try plugin("""
            return { api = 1,
              connect = function(ctx)
                ctx.state.files = assert(temblor.fs.list("/data"))
                ctx:sleep(5)
                ctx:every(10, function(ctx) ctx.state.tick = temblor.fs.read("/data/t") end)
                return true
              end }
            """)
        let connected = try drive(p.begin(.connect), on: p, [
            (.fsList(path: "/data"), .values([.array(["a", "b"])])),
            (.sleep(milliseconds: 5), .values([])),
        ])
        #expect(connected.value == true)
        let timer = try #require(p.timers.first)
        _ = try drive(p.beginTimer(timer.id), on: p, [(.fsRead(path: "/data/t"), .values([.bytes(Array("tock".utf8))]))])
        #expect(p.savedState() == ["files": ["a", "b"], "tick": "tock"])
    }

    @Test func linesIterateUntilTheEndAndCloseWhenTheLoopBreaks() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              local seen = {}
              for line in assert(temblor.fs.lines("/data/log")) do seen[#seen + 1] = line end
              for line in assert(temblor.fs.lines("/data/log")) do break end
              return seen
            end }
            """)
        let result = try drive(p.beginEvent(.null, meta: .null), on: p, [
            (.fsOpenLines(path: "/data/log"), .values([.int(3)])),
            (.fsNextLine(handle: 3), .values([.bytes(Array("one".utf8))])),
            (.fsNextLine(handle: 3), .values([.bytes(Array("two".utf8))])),
            (.fsNextLine(handle: 3), .values([])),
            (.fsOpenLines(path: "/data/log"), .values([.int(4)])),
            (.fsNextLine(handle: 4), .values([.bytes(Array("one".utf8))])),
        ])
        #expect(result.value == ["one", "two"])
        // The reader that ended closed itself in the host; the one left by `break` is closed.
        #expect(p.closedHandles == [4])
    }

    @Test func httpRequestsGiveATableAndArgumentMistakesAreLuaErrors() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              local response = assert(temblor.http.request{ method = "post", url = "http://127.0.0.1:6379/x",
                headers = { ["content-type"] = "application/json" }, body = "{}", timeout_ms = 100 })
              local ok, err = pcall(temblor.tcp.connect, "127.0.0.1", "6379")
              return { status = response.status, body = response.body, type = response.headers["content-type"], err = err }
            end }
            """)
        let result = try drive(p.beginEvent(.null, meta: .null), on: p, [
            (.httpRequest(LuaHTTPRequest(
                method: "POST", url: "http://127.0.0.1:6379/x", headers: [("content-type", "application/json")], body: Array("{}".utf8),
                timeoutMs: 100)),
             .values([.int(201), ["content-type": "text/plain"], .bytes(Array("done".utf8))])),
        ])
        #expect(result.value == [
            "status": 201, "body": "done", "type": "text/plain",
            "err": "bad argument #2 to 'temblor.tcp.connect' (a port number from 0 to 65535 expected, got 6379)",
        ])
    }

    @Test func jsonDecodesWithTheBridgesMappingAndEncodesBack() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              local value = assert(temblor.json.decode('{"items":[1,2.5,"x\\\\n"],"none":null,"ok":true}'))
              local bad, err = temblor.json.decode("{nope")
              return { n = #value.items, third = value.items[3], none = value.none == temblor.null, bad = bad == nil, err = err,
                text = temblor.json.encode({ a = { 1, 2 }, q = 'say "hi"\\n', e = temblor.array{}, z = temblor.null }) }
            end }
            """, capabilities: LuaCapabilities())
        let result = try p.deliver(.null, meta: .null)
        guard case .object(let object)? = result.value, case .string(let text)? = object["text"] else { Issue.record("no result"); return }
        #expect(object["n"] == 3)
        #expect(object["third"] == "x\n")
        #expect(object["none"] == true)
        #expect(object["bad"] == true)
        #expect(object["err"]?.stringValue?.hasPrefix("invalid JSON") == true)
        // Lua's key order is its own; the encoded text decodes back to the same value.
        let back = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(back?["a"] as? [Int] == [1, 2])
        #expect(back?["q"] as? String == "say \"hi\"\n")
        #expect((back?["e"] as? [Any])?.isEmpty == true)
        #expect(back?["z"] is NSNull)
    }
}


extension LuaHostIOCallTests {
    @Test func jsonEncodeKeepsFloatsFloatsInTheirShortestForm() throws {
        let p = try plugin("""
            return { api = 1, on_event = function(ctx, event)
              return temblor.json.encode(temblor.array{ 1.0, 2.5, 0.1, 1e20, -0.0, 3, 1/3 })
            end }
            """, capabilities: LuaCapabilities())
        #expect(try p.deliver(.null, meta: .null).value == "[1.0,2.5,0.1,1e+20,-0.0,3,0.3333333333333333]")
    }
}
