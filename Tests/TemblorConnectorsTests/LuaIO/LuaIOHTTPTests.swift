import Testing
import TemblorConnectors
import TemblorLua
import TemblorValue

/// `temblor.http.request` against a small HTTP server on 127.0.0.1.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LuaIOHTTPTests {
    typealias F = LuaIOFixtures

    @Test func getGivesStatusLowercasedJoinedHeadersAndBody() async throws {
        let server = try await LuaIOHTTPTestServer.start()
        defer { Task { await server.stop() } }
        let io = try F.session(net: ["127.0.0.1:\(server.port)"])
        let result = await io.perform(.httpRequest(LuaHTTPRequest(method: "get", url: "http://127.0.0.1:\(server.port)/hello?x=1#top")))
        let headers: Object = ["x-test": "a, b", "content-type": "text/plain", "content-length": "5"]
        #expect(result == .values([.int(200), .object(headers), .bytes(Array("hello".utf8))]))
        let head = try #require(server.requests.first)
        #expect(head.method == .GET)
        #expect(head.uri == "/hello?x=1")
        #expect(head.headers["host"] == ["127.0.0.1:\(server.port)"])
        #expect(head.headers["connection"] == [])
        #expect(head.headers["content-length"] == [])
        await io.close()
    }

    @Test func postSendsTheBodyWithItsLengthAndTheScriptsHeaders() async throws {
        let server = try await LuaIOHTTPTestServer.start()
        defer { Task { await server.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"])
        let request = LuaHTTPRequest(
            method: "POST", url: "http://127.0.0.1:\(server.port)/echo", headers: [("X-In", "one"), ("Content-Length", "999")],
            body: Array("payload".utf8), timeoutMs: 5_000)
        guard case .values(let values) = await io.perform(.httpRequest(request)), values.count == 3, case .object(let headers) = values[1] else {
            Issue.record("no response")
            return
        }
        #expect(values[0] == .int(201))
        #expect(values[2] == .bytes(Array("payload".utf8)))
        #expect(headers["x-method"] == .string("POST"))
        #expect(headers["x-in"] == .string("one"))
        #expect(server.requests.first?.headers["content-length"] == ["7"])
        await io.close()
    }

    @Test func aChunkedBodyArrivesWhole() async throws {
        let server = try await LuaIOHTTPTestServer.start()
        defer { Task { await server.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"])
        guard case .values(let values) = await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/chunked"))),
            values.count == 3, case .object(let headers) = values[1]
        else {
            Issue.record("no response")
            return
        }
        #expect(values[0] == .int(200))
        #expect(headers["transfer-encoding"] == .string("chunked"))
        #expect(values[2] == .bytes(Array("abcdef".utf8)))
        await io.close()
    }

    @Test func aBodyLargerThanTheIOBufferFails() async throws {
        let server = try await LuaIOHTTPTestServer.start()
        defer { Task { await server.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"], limits: LuaLimits(ioBuffer: 2_048, ioTimeoutMs: 5_000))
        #expect(
            await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/big")))
                == .failure("the response body is larger than the I/O buffer holds (limits.io_buffer_kb is 2)"))
        await io.close()
    }

    @Test func badURLsAndUngrantedHostsFailClearly() async throws {
        let server = try await LuaIOHTTPTestServer.start()
        defer { Task { await server.stop() } }
        let io = try F.session(net: ["127.0.0.2:*"])
        #expect(
            await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "ftp://127.0.0.1/")))
                == .failure("bad URL 'ftp://127.0.0.1/': expected http://host[:port]/path or https://..."))
        #expect(
            await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http://127.0.0.1:99999/")))
                == .failure("bad URL 'http://127.0.0.1:99999/': the port must be a number from 1 to 65535"))
        #expect(F.failure(await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http:///path"))))?.hasPrefix("bad URL") == true)
        #expect(
            await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/hello")))
                == .failure("net access to 127.0.0.1:\(server.port) is not granted to connector 'test'; add \"127.0.0.1:\(server.port)\" to its allow.net"))
        #expect(
            await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http://[::1]:8080/")))
                == .failure("net access to [::1]:8080 is not granted to connector 'test'; add \"[::1]:8080\" to its allow.net"))
        #expect(server.requests.isEmpty)
        await io.close()
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let peer = try await LuaIOTestPeer.start(.silent)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"])
        let request = LuaHTTPRequest(method: "GET", url: "http://127.0.0.1:\(peer.port)/", timeoutMs: 100)
        #expect(await io.perform(.httpRequest(request)) == .failure("timeout"))
        // The abandoned exchange's connection is closed.
        #expect(try await peer.wait { $0.connected == 1 && $0.ended == 1 })
        await io.close()
    }

    // MARK: https

    @Test func httpsTrustsTheCaTheConnectorsConfigNamesAndRefusesAStranger() async throws {
        let certificate = try SelfSignedCertificate.make()
        let server = try await HttpTestServer.start(tls: try certificate.serving()) { _, seen in
            .init(status: 200, headers: ["content-type": "text/plain"], body: "secure " + seen.path)
        }
        let trusting = try F.session(net: ["localhost:\(server.port)", "127.0.0.1:\(server.port)"], config: ["tls": ["ca": .string(certificate.cert)]])
        for host in ["localhost", "127.0.0.1"] {
            let result = await trusting.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "https://\(host):\(server.port)/s?x=1")))
            guard case .values(let values) = result, values.count == 3 else {
                Issue.record("no response over \(host): \(result)")
                continue
            }
            #expect(values[0] == .int(200))
            #expect(values[2] == .bytes(Array("secure /s?x=1".utf8)))
        }
        await trusting.close()
        // The system's store does not know a certificate made a moment ago. The refusal comes
        // within the handshake; the long timeout only keeps a loaded machine from ending it first.
        let stranger = try F.session(net: ["localhost:\(server.port)"], limits: LuaLimits(ioTimeoutMs: 30_000))
        let refused = await stranger.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "https://localhost:\(server.port)/")))
        guard case .failure(let reason) = refused else {
            Issue.record("a server nobody trusts was answered: \(refused)")
            return
        }
        #expect(reason.contains("CERTIFICATE_VERIFY_FAILED"))
        await stranger.close()
        let careless = try F.session(net: ["localhost:\(server.port)"], config: ["tls": ["verify": false]])
        guard case .values(let values) = await careless.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "https://localhost:\(server.port)/v"))) else {
            Issue.record("verify: false did not connect")
            return
        }
        #expect(values.first == .int(200))
        await careless.close()
        #expect(server.seen.count == 3)
        await server.stop()
    }

    @Test func aBadTlsConfigIsTheReasonHttpsFails() async throws {
        let io = try F.session(net: ["127.0.0.1:*"], config: ["tls": ["ca": "/nonexistent/ca.pem"]])
        let result = await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "https://127.0.0.1:1/")))
        guard case .failure(let reason) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(reason.contains("tls.ca"))
        #expect(reason.contains("/nonexistent/ca.pem"))
        await io.close()
    }

    @Test func keptAliveConnectionsAreReusedPerServerUntilTheServerSaysClose() async throws {
        let server = try await HttpTestServer.start { index, _ in
            // The third answer asks the client to close; the fourth request needs a new connection.
            .init(status: 200, headers: index == 2 ? ["connection": "close"] : [:], body: "answer \(index)")
        }
        let io = try F.session(net: ["127.0.0.1:\(server.port)"])
        for n in 0..<4 {
            guard case .values(let values) = await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http://127.0.0.1:\(server.port)/\(n)"))) else {
                Issue.record("request \(n) failed")
                continue
            }
            #expect(values[2] == .bytes(Array("answer \(n)".utf8)))
        }
        let peers = server.seen.map(\.peer)
        #expect(peers.count == 4)
        #expect(Set(peers[0..<3]).count == 1, "the first three requests should share one connection: \(peers)")
        #expect(peers[3] != peers[0])
        await io.close()
        await server.stop()
    }

    @Test func aKeptConnectionTheServerDroppedIsReplacedWithoutTheScriptNoticing() async throws {
        let first = try await HttpTestServer.start { _, _ in .init(status: 200, body: "one") }
        let port = first.port
        let io = try F.session(net: ["127.0.0.1:\(port)"])
        #expect(await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))) == .values([.int(200), .object(["content-type": "application/json", "content-length": "3"]), .bytes(Array("one".utf8))]))
        await first.stop()
        let second = try await HttpTestServer.start(port: port) { _, _ in .init(status: 200, body: "two") }
        guard case .values(let values) = await io.perform(.httpRequest(LuaHTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/"))) else {
            Issue.record("the request after the server restarted failed")
            return
        }
        #expect(values[2] == .bytes(Array("two".utf8)))
        await io.close()
        await second.stop()
    }
}
