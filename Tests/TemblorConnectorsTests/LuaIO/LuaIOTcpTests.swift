import Testing
import TemblorConnectors
import TemblorLua
import TemblorRuntime
import TemblorValue

/// `temblor.tcp` against peers on 127.0.0.1 that the tests start; timeouts are mechanisms only.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LuaIOTcpTests {
    typealias F = LuaIOFixtures

    @Test func receivesLinesCountsAndDelimitedPiecesFromAnEchoServer() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:\(peer.port)"])
        let socket = try #require(F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))))
        #expect(socket == 1)
        let message = "one\r\ntwo\nabcdefXYZrest"
        #expect(await io.perform(.tcpSend(handle: socket, bytes: Array(message.utf8), timeoutMs: nil)) == .values([.int(Int64(message.utf8.count))]))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: nil)) == F.bytes("one"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: nil)) == F.bytes("two"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .count(3), timeoutMs: nil)) == F.bytes("abc"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .delimiter(Array("XYZ".utf8)), timeoutMs: nil)) == F.bytes("def"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .count(4), timeoutMs: nil)) == F.bytes("rest"))
        #expect(await io.perform(.close(handle: socket)) == .values([]))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: nil)) == .failure("closed"))
        #expect(await io.perform(.tcpSend(handle: socket, bytes: [1], timeoutMs: nil)) == .failure("closed"))
        #expect(await io.perform(.close(handle: 99)) == .values([]))
        await io.close()
    }

    @Test func receiveAllGivesEverythingUntilThePeerClosesThenSendsFail() async throws {
        let peer = try await LuaIOTestPeer.start(.sendThenClose(Array("first\nand the rest".utf8)))
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"])
        let socket = try #require(F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: nil)) == F.bytes("first"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .all, timeoutMs: nil)) == F.bytes("and the rest"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .all, timeoutMs: nil)) == F.bytes(""))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: nil)) == .failure("closed"))
        #expect(await io.perform(.tcpSend(handle: socket, bytes: Array("late".utf8), timeoutMs: nil)) == .failure("closed"))
        await io.close()
    }

    @Test func aPeerClosingBeforeTheLineEndsFailsTheReceiveAndKeepsTheBytes() async throws {
        let peer = try await LuaIOTestPeer.start(.sendThenClose(Array("no end of line".utf8)))
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"])
        let socket = try #require(F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: nil)) == .failure("closed"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .delimiter([0]), timeoutMs: nil)) == .failure("closed"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .count(100), timeoutMs: nil)) == .failure("closed"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .all, timeoutMs: nil)) == F.bytes("no end of line"))
        await io.close()
    }

    @Test func aTimeoutLeavesTheSocketUsableAndKeepsWhatArrived() async throws {
        let peer = try await LuaIOTestPeer.start(.silent)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:\(peer.port)"])
        let socket = try #require(F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: 100)) == .failure("timeout"))
        #expect(try await peer.wait { $0.connected == 1 })
        try await peer.send(Array("par".utf8))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: 100)) == .failure("timeout"))
        try await peer.send(Array("tial\nnext\n".utf8))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: 5_000)) == F.bytes("partial"))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: 5_000)) == F.bytes("next"))
        await io.close()
    }

    @Test func cancellingTheCallerEndsTheReceiveAndTheSocketStaysUsable() async throws {
        let peer = try await LuaIOTestPeer.start(.silent)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:\(peer.port)"])
        let socket = try #require(F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))))
        let waiting = Task { await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: 60_000)) }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value == .failure("cancelled"))
        #expect(try await peer.wait { $0.connected == 1 })
        try await peer.send(Array("after\n".utf8))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: 5_000)) == F.bytes("after"))
        let sleeping = Task { await io.perform(.sleep(milliseconds: 60_000)) }
        sleeping.cancel()
        #expect(await sleeping.value == .failure("cancelled"))
        #expect(await io.perform(.sleep(milliseconds: 1)) == .values([]))
        await io.close()
    }

    @Test func aRefusedConnectionSaysSo() async throws {
        let port = try await F.unusedPort()
        let io = try F.session(net: ["127.0.0.1:*"])
        let result = await io.perform(.tcpConnect(host: "127.0.0.1", port: port, timeoutMs: nil))
        #expect(F.failure(result) == "connection refused")
        await io.close()
    }

    @Test func aPortOrHostWithoutAGrantIsDeniedWithWhatToGrant() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let other = peer.port == 65_535 ? 65_534 : peer.port + 1
        let io = try F.session(net: ["127.0.0.1:\(other)", "127.0.0.2:*"])
        #expect(
            await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))
                == .failure("net access to 127.0.0.1:\(peer.port) is not granted to connector 'test'; add \"127.0.0.1:\(peer.port)\" to its allow.net"))
        #expect(
            await io.perform(.tcpConnect(host: "10.1.2.3", port: other, timeoutMs: nil))
                == .failure("net access to 10.1.2.3:\(other) is not granted to connector 'test'; add \"10.1.2.3:\(other)\" to its allow.net"))
        #expect(peer.connected == 0)
        // No grant at all: the same message.
        let none = try F.session()
        #expect(F.failure(await none.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil)))?.hasPrefix("net access to 127.0.0.1:") == true)
        await io.close()
        await none.close()
    }

    @Test func aGrantedNameCoversTheAddressesItResolvesTo() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["localhost:\(peer.port)"])
        let socket = F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil)))
        #expect(socket == 1)
        await io.close()
    }

    @Test func theSocketLimitHoldsAndClosingOneLetsTheNextOpen() async throws {
        let peer = try await LuaIOTestPeer.start(.silent)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"], limits: LuaLimits(sockets: 2, ioTimeoutMs: 5_000))
        let connect = LuaIORequest.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil)
        let first = try #require(F.handle(await io.perform(connect)))
        #expect(F.handle(await io.perform(.udpOpen)) == 2)
        #expect(await io.perform(connect) == .failure("too many open sockets (limits.sockets is 2); close the ones you no longer use"))
        #expect(await io.perform(.udpOpen) == .failure("too many open sockets (limits.sockets is 2); close the ones you no longer use"))
        #expect(await io.perform(.close(handle: first)) == .values([]))
        #expect(F.handle(await io.perform(connect)) == 3)
        #expect(try await peer.wait { $0.connected == 2 && $0.ended == 1 })
        await io.close()
    }

    @Test func closingTheSessionClosesItsConnectionsAndLaterCallsFail() async throws {
        let peer = try await LuaIOTestPeer.start(.silent)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"])
        let connect = LuaIORequest.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil)
        let a = try #require(F.handle(await io.perform(connect)))
        _ = try #require(F.handle(await io.perform(connect)))
        #expect(try await peer.wait { $0.connected == 2 })
        await io.close()
        #expect(try await peer.wait { $0.ended == 2 })
        #expect(await io.perform(.tcpReceive(handle: a, pattern: .line, timeoutMs: nil)) == .failure("closed"))
        #expect(await io.perform(connect) == .failure("closed"))
        #expect(await io.perform(.sleep(milliseconds: 1)) == .failure("closed"))
    }

    @Test func receivesThatWouldOutgrowTheIOBufferFail() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"], limits: LuaLimits(ioBuffer: 1_024, ioTimeoutMs: 5_000))
        let socket = try #require(F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))))
        #expect(
            await io.perform(.tcpReceive(handle: socket, pattern: .count(2_000), timeoutMs: nil))
                == .failure("cannot receive 2000 bytes at once: more than the I/O buffer holds (limits.io_buffer_kb is 1)"))
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 3_000)
        #expect(await io.perform(.tcpSend(handle: socket, bytes: long, timeoutMs: nil)) == .values([.int(3_000)]))
        let line = F.failure(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: nil)))
        #expect(line?.hasPrefix("line longer than the I/O buffer holds (limits.io_buffer_kb is 1)") == true)
        // What was buffered stays readable in counted pieces.
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .count(1_000), timeoutMs: nil)) == .values([.bytes(Array(long[..<1_000]))]))
        await io.close()
    }

    @Test func theIOBufferIsSharedByTheSocketsOfAState() async throws {
        let peer = try await LuaIOTestPeer.start(.echo)
        defer { Task { await peer.stop() } }
        let io = try F.session(net: ["127.0.0.1:*"], limits: LuaLimits(ioBuffer: 1_024, ioTimeoutMs: 5_000))
        let a = try #require(F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))))
        let b = try #require(F.handle(await io.perform(.tcpConnect(host: "127.0.0.1", port: peer.port, timeoutMs: nil))))
        #expect(await io.perform(.tcpSend(handle: a, bytes: [UInt8](repeating: 1, count: 3_000), timeoutMs: nil)) == .values([.int(3_000)]))
        #expect(F.failure(await io.perform(.tcpReceive(handle: a, pattern: .line, timeoutMs: nil)))?.hasPrefix("line longer") == true)
        #expect(await io.perform(.tcpSend(handle: b, bytes: Array("hi\n".utf8), timeoutMs: nil)) == .values([.int(3)]))
        #expect(
            await io.perform(.tcpReceive(handle: b, pattern: .line, timeoutMs: nil))
                == .failure("the I/O buffer is full (limits.io_buffer_kb is 1) with what other sockets received; read from them or close them"))
        #expect(await io.perform(.close(handle: a)) == .values([]))
        #expect(await io.perform(.tcpReceive(handle: b, pattern: .line, timeoutMs: nil)) == F.bytes("hi"))
        await io.close()
    }

    @Test func tlsConnectionsTrustTheConnectorsCaAndEchoThroughATlsTcpServer() async throws {
        let certificate = try SelfSignedCertificate.make()
        let bound = PortBox()
        var registry = ConnectorRegistry.standard
        registry.register(TcpServerConnector { bound.set($0) })
        let here = FlowFixtures.here
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [ConnectorDefinition(
                name: "server", type: "tcp_server",
                config: ["url": "127.0.0.1:0", "tls": ["cert": .string(certificate.cert), "key": .string(certificate.key)]], location: here)],
            links: [FlowFixtures.link("server", "server")])
        let running = RunningFlow(flow, registry: registry)
        let port = try await bound.wait()
        let io = try F.session(net: ["localhost:\(port)"], config: ["tls": ["ca": .string(certificate.cert)]])
        let socket = try #require(F.handle(await io.perform(.tcpConnect(host: "localhost", port: port, timeoutMs: 5_000, tls: true))))
        let line = #"{"over":"tls"}"# + "\n"
        #expect(await io.perform(.tcpSend(handle: socket, bytes: Array(line.utf8), timeoutMs: nil)) == .values([.int(Int64(line.utf8.count))]))
        #expect(await io.perform(.tcpReceive(handle: socket, pattern: .line, timeoutMs: 5_000)) == F.bytes(#"{"over":"tls"}"#))
        await io.close()
        // Without the CA the handshake fails, and the script gets the reason, not a socket.
        let stranger = try F.session(net: ["localhost:\(port)"])
        let refused = await stranger.perform(.tcpConnect(host: "localhost", port: port, timeoutMs: 5_000, tls: true))
        guard case .failure(let reason) = refused else {
            Issue.record("a server nobody trusts gave a socket: \(refused)")
            return
        }
        #expect(reason.contains("CERTIFICATE_VERIFY_FAILED"))
        await stranger.close()
        _ = try await running.stop()
    }
}
