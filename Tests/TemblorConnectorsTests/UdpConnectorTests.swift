import Foundation
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

#if canImport(Glibc)
import Glibc
#endif

/// `udp_server` and `udp_client` on 127.0.0.1. Loopback does not drop a few paced datagrams, but
/// nothing here relies on their order.
@Suite(.serialized, .timeLimit(.minutes(2))) struct UdpConnectorTests {
    let here = SourceLocation(file: "test.yaml", line: 1, column: 1)

    func link(_ from: String, _ to: String, fromPort: TemblorRuntime.Port = .out) -> LinkDefinition {
        LinkDefinition(from: LinkEndpoint(node: from, port: fromPort), to: LinkEndpoint(node: to, port: .in), location: here)
    }

    /// A running `udp_server -> collect` flow (and `err -> errors`), with its bound port.
    func startServer(_ events: Collected, errors: Collected = Collected()) async throws -> (RunningFlow, Int) {
        let port = PortBox()
        var registry = ConnectorRegistry.standard
        registry.register(UdpServerConnector { port.set($0) })
        registry.register(CollectorConnector("collect", events))
        registry.register(CollectorConnector("collect-errors", errors))
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "server", type: "udp_server", config: ["url": "127.0.0.1:0"], location: here),
                ConnectorDefinition(name: "events", type: "collect", location: here),
                ConnectorDefinition(name: "errors", type: "collect-errors", location: here),
            ],
            links: [link("server", "events"), link("server", "errors", fromPort: .err)])
        let running = RunningFlow(flow, registry: registry)
        return (running, try await port.wait())
    }

    /// A running `scripted -> udp_client` flow sending to `port`.
    func startClient(_ script: Script, port: Int) -> RunningFlow {
        var registry = ConnectorRegistry.standard
        registry.register(ScriptedConnector(script))
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                ConnectorDefinition(name: "client", type: "udp_client", config: ["url": .string("udp://127.0.0.1:\(port)")], location: here),
            ],
            links: [link("script", "client")])
        return RunningFlow(flow, registry: registry)
    }

    @Test func clientDatagramsReachTheServerAsEvents() async throws {
        let events = Collected()
        let (server, port) = try await startServer(events)
        let script = Script()
        let client = startClient(script, port: port)
        let big = String(repeating: "x", count: 20_000)
        for n in 0..<20 {
            script.emit(["n": .int(Int64(n)), "pad": n == 7 ? .string(big) : "-"])
            try await Task.sleep(for: .milliseconds(5))
        }
        script.finish()
        #expect(try await client.finished() == FlowReport(produced: 20, acked: 20, failed: 0))
        let received = try await events.wait(for: 20)
        #expect(Set(received.compactMap { $0.payload["n"]?.intValue }) == Set(0..<20))
        #expect(received.first { $0.payload["n"] == 7 }?.payload["pad"] == .string(big))
        let peers = Set(received.compactMap { $0.meta["peer"]?.stringValue })
        #expect(peers.count == 1)
        #expect(peers.first?.hasPrefix("127.0.0.1:") == true, "\(peers)")
        #expect(try await server.stop() == FlowReport(produced: 20, acked: 20, failed: 0))
    }

    @Test func eachDatagramIsAFrameAndBadOnesGoToErrWithTheirSender() async throws {
        let events = Collected()
        let errors = Collected()
        let (server, port) = try await startServer(events, errors: errors)
        let (first, second) = try await onThread {
            let a = try TestDatagramSocket()
            let b = try TestDatagramSocket()
            defer {
                a.close()
                b.close()
            }
            try a.send("{\"from\":\"a\"}", to: port)
            Thread.sleep(forTimeInterval: 0.005)
            try b.send("{\"from\":\"b\"}", to: port)
            Thread.sleep(forTimeInterval: 0.005)
            try a.send("not json", to: port)
            return (a.localPort, b.localPort)
        }
        let received = try await events.wait(for: 2)
        let failed = try await errors.wait(for: 1)
        let byPeer = Dictionary(uniqueKeysWithValues: received.map { ($0.meta["peer"]?.stringValue ?? "?", $0.payload) })
        #expect(byPeer == ["127.0.0.1:\(first)": ["from": "a"], "127.0.0.1:\(second)": ["from": "b"]])
        #expect(failed.first?.payload["data"] == "not json")
        #expect(failed.first?.payload["frame"] == 2, "the second frame from the same sender")
        #expect(failed.first?.meta["peer"] == .string("127.0.0.1:\(first)"))
        #expect(try await server.stop() == FlowReport(produced: 3, acked: 3, failed: 0))
    }

    @Test func anEventTooLargeForADatagramFailsAndTheRestAreSent() async throws {
        let events = Collected()
        let (server, port) = try await startServer(events)
        let script = Script()
        let client = startClient(script, port: port)
        script.emit(["n": 1])
        script.emit(["n": 2, "pad": .string(String(repeating: "x", count: 70_000))])
        script.emit(["n": 3])
        script.finish()
        #expect(try await client.finished() == FlowReport(produced: 3, acked: 2, failed: 1))
        let received = try await events.wait(for: 2)
        #expect(Set(received.compactMap { $0.payload["n"]?.intValue }) == [1, 3])
        _ = try await server.stop()
    }

    @Test func badConfigsNameTheKeyAndTheFix() throws {
        let server = UdpServerConnector().info.validate
        let client = UdpClientConnector().info.validate
        #expect(throws: ConnectorConfigError(key: "url", "missing; this connector needs 'url'")) { try server(.null) }
        #expect(throws: ConnectorConfigError(key: "url", "missing; this connector needs 'url'")) { try client([:]) }
        #expect(throws: ConnectorConfigError(key: "url", "expected host:port (like 127.0.0.1:4242), got '127.0.0.1'")) {
            try client(["url": "127.0.0.1"])
        }
        #expect(throws: ConnectorConfigError(key: "url", "port 0 is out of range; use 1...65535")) { try client(["url": "127.0.0.1:0"]) }
        #expect(throws: ConnectorConfigError(key: "url", "port 65536 is out of range; use 0...65535")) { try server(["url": "127.0.0.1:65536"]) }
        #expect(throws: ConnectorConfigError(key: "url", "scheme 'tcp' is not supported here; use udp://host:port or host:port")) {
            try server(["url": "tcp://127.0.0.1:9"])
        }
        #expect(throws: ConnectorConfigError(key: "max_connections", "unknown key; known keys: url")) {
            try server(["url": "127.0.0.1:9", "max_connections": 3])
        }
        try server(["url": "0.0.0.0:0"])
        try client(["url": "udp://localhost:9"])
    }
}

/// A UDP socket on 127.0.0.1 that sends test datagrams.
final class TestDatagramSocket: Sendable {
    let fd: Int32

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestNetError("socket") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let error = TestNetError("bind")
            Glibc.close(fd)
            throw error
        }
    }

    var localPort: Int { boundPort(fd) }

    func send(_ text: String, to port: Int) throws {
        var address = loopback(port: port)
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &address) { target in
            target.withMemoryRebound(to: sockaddr.self, capacity: 1) { target in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, target, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard sent == bytes.count else { throw TestNetError("sendto") }
    }

    func close() {
        Glibc.close(fd)
    }
}
