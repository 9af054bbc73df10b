import Testing
import TemblorConnectors
import TemblorLua
import TemblorValue

/// `temblor.udp` between sockets of one session on 127.0.0.1.
@Suite(.serialized, .timeLimit(.minutes(2))) struct LuaIOUdpTests {
    typealias F = LuaIOFixtures

    @Test func aDatagramGoesThereAndBackThroughBindOpenSendtoAndReceivefrom() async throws {
        let port = try await F.unusedUDPPort()
        let io = try F.session(net: ["127.0.0.1:*"])
        let bound = try #require(F.handle(await io.perform(.udpBind(host: "127.0.0.1", port: port))))
        let sender = try #require(F.handle(await io.perform(.udpOpen)))
        #expect(await io.perform(.udpSendTo(handle: sender, bytes: Array("ping".utf8), host: "127.0.0.1", port: port, timeoutMs: nil)) == .values([.int(4)]))
        guard case .values(let got) = await io.perform(.udpReceiveFrom(handle: bound, timeoutMs: nil)), got.count == 3, case .int(let senderPort) = got[2] else {
            Issue.record("no datagram")
            return
        }
        #expect(got[0] == .bytes(Array("ping".utf8)))
        #expect(got[1] == .string("127.0.0.1"))
        #expect(senderPort > 0)
        #expect(
            await io.perform(.udpSendTo(handle: bound, bytes: Array("pong".utf8), host: "127.0.0.1", port: Int(senderPort), timeoutMs: nil))
                == .values([.int(4)]))
        #expect(await io.perform(.udpReceiveFrom(handle: sender, timeoutMs: nil)) == .values([.bytes(Array("pong".utf8)), .string("127.0.0.1"), .int(Int64(port))]))
        await io.close()
    }

    @Test func receivefromTimesOutAndTheSocketStaysUsable() async throws {
        let port = try await F.unusedUDPPort()
        let io = try F.session(net: ["127.0.0.1:\(port)"])
        let bound = try #require(F.handle(await io.perform(.udpBind(host: "127.0.0.1", port: port))))
        #expect(await io.perform(.udpReceiveFrom(handle: bound, timeoutMs: 100)) == .failure("timeout"))
        let sender = try #require(F.handle(await io.perform(.udpOpen)))
        #expect(await io.perform(.udpSendTo(handle: sender, bytes: [1, 2, 3], host: "127.0.0.1", port: port, timeoutMs: nil)) == .values([.int(3)]))
        guard case .values(let got) = await io.perform(.udpReceiveFrom(handle: bound, timeoutMs: 5_000)) else {
            Issue.record("no datagram")
            return
        }
        #expect(got.first == .bytes([1, 2, 3]))
        #expect(await io.perform(.close(handle: bound)) == .values([]))
        #expect(await io.perform(.udpReceiveFrom(handle: bound, timeoutMs: nil)) == .failure("closed"))
        await io.close()
    }

    @Test func bindAndSendtoNeedANetGrant() async throws {
        let port = try await F.unusedUDPPort()
        let io = try F.session(net: ["127.0.0.1:\(port == 65_535 ? 1 : port + 1)"])
        #expect(
            await io.perform(.udpBind(host: "127.0.0.1", port: port))
                == .failure("net access to 127.0.0.1:\(port) is not granted to connector 'test'; add \"127.0.0.1:\(port)\" to its allow.net"))
        let sender = try #require(F.handle(await io.perform(.udpOpen)))
        #expect(
            await io.perform(.udpSendTo(handle: sender, bytes: [1], host: "127.0.0.1", port: port, timeoutMs: nil))
                == .failure("net access to 127.0.0.1:\(port) is not granted to connector 'test'; add \"127.0.0.1:\(port)\" to its allow.net"))
        #expect(await io.perform(.udpSendTo(handle: 42, bytes: [1], host: "127.0.0.1", port: port, timeoutMs: nil)) == .failure("closed"))
        await io.close()
    }
}
