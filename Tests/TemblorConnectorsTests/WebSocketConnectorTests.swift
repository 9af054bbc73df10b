import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import Synchronization
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// `ws_server` and `ws_client` in whole flows against real WebSocket peers on 127.0.0.1:
/// hummingbird-websocket's client, a hand-written client for malformed frames, and a plain
/// Hummingbird server. Every wait is bounded; nothing asserts speed.
@Suite(.serialized, .timeLimit(.minutes(3))) struct WebSocketConnectorTests {
    let here = FlowFixtures.here

    func server(_ name: String = "server", config: Value = ["url": "127.0.0.1:0"], codec: String? = nil) -> ConnectorDefinition {
        ConnectorDefinition(
            name: name, type: "ws_server", config: config, codec: codec.map { ProcessorReference(name: $0, location: here) }, location: here)
    }

    /// `server -> echo (passthrough) -> server`, plus what else the test needs.
    func echoFlow(_ server: ConnectorDefinition? = nil, extra: [ConnectorDefinition] = [], links: [LinkDefinition] = []) -> FlowDefinition {
        let server = server ?? self.server()
        return FlowDefinition(
            file: "test.yaml", connectors: [server] + extra,
            pipelines: [PipelineDefinition(name: "echo", operators: [OperatorDefinition(name: "passthrough", location: here)], location: here)],
            links: [FlowFixtures.link(server.name, "echo"), FlowFixtures.link("echo", server.name)] + links)
    }

    /// A registry whose `ws_server` reports its bound port to `port`.
    func registry(_ port: PortBox, adding extra: [any ConnectorFactory] = []) -> ConnectorRegistry {
        var registry = ConnectorRegistry.standard
        registry.register(WebSocketServerConnector { port.set($0) })
        for factory in extra { registry.register(factory) }
        return registry
    }

    // MARK: ws_server

    @Test func twentyClientsEachGetTheirOwnFiftyAnswers() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(), registry: registry(port))
        let bound = try await port.wait()
        try await withThrowingTaskGroup(of: (Int, [WebSocketMessage]).self) { group in
            for client in 0..<20 {
                group.addTask {
                    let frames = (0..<50).map { WebSocketOutboundWriter.OutboundFrame.text(#"{"client":\#(client),"n":\#($0)}"#) }
                    return (client, try await converse("ws://127.0.0.1:\(bound)/echo", send: frames, expect: 50).replies)
                }
            }
            for try await (client, replies) in group {
                #expect(replies == (0..<50).map { .text(#"{"client":\#(client),"n":\#($0)}"#) }, "client \(client)")
            }
        }
        #expect(try await running.stop() == FlowReport(produced: 1000, acked: 1000, failed: 0))
    }

    @Test func textComesBackAsTextAndBinaryAsBinary() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(), registry: registry(port))
        let bound = try await port.wait()
        let conversation = try await converse(
            "ws://127.0.0.1:\(bound)/", send: [.text(#"{"t":1}"#), .binary(ByteBuffer(string: #"{"b":2}"#))], expect: 2)
        #expect(conversation.replies == [.text(#"{"t":1}"#), .binary(ByteBuffer(string: #"{"b":2}"#))])
        #expect(try await running.stop() == FlowReport(produced: 2, acked: 2, failed: 0))
    }

    @Test func aBytesPayloadGoesOutAsABinaryMessage() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(server(codec: "binary")), registry: registry(port))
        let bound = try await port.wait()
        let conversation = try await converse("ws://127.0.0.1:\(bound)/", send: [.text("not json at all")], expect: 1)
        #expect(conversation.replies == [.binary(ByteBuffer(string: "not json at all"))])
        _ = try await running.stop()
    }

    @Test func eventsCarryTheirConnectionPeerAndKind() async throws {
        let port = PortBox()
        let events = Collected()
        let flow = FlowDefinition(
            file: "test.yaml", connectors: [server(), ConnectorDefinition(name: "events", type: "collect", location: here)],
            links: [FlowFixtures.link("server", "events")])
        let running = WebSocketFlow(flow, registry: registry(port, adding: [CollectorConnector("collect", events)]))
        let bound = try await port.wait()
        _ = try await converse("ws://127.0.0.1:\(bound)/", send: [.text(#"{"a":1}"#), .binary(ByteBuffer(string: #"{"b":2}"#))], expect: 0)
        _ = try await converse("ws://127.0.0.1:\(bound)/", send: [.text(#"{"c":3}"#)], expect: 0)
        let received = try await events.wait(for: 3)
        #expect(received.map(\.payload) == [["a": 1], ["b": 2], ["c": 3]])
        let ws = received.map { $0.meta["ws"] ?? .null }
        #expect(ws.map { $0.objectValue.map { Array($0.keys) } ?? [] } == Array(repeating: ["connection", "peer", "binary"], count: 3))
        #expect(ws.map { $0["binary"] } == [false, true, false])
        #expect(ws[0]["connection"]?.intValue != nil)
        #expect(ws[0]["connection"] == ws[1]["connection"])
        #expect(ws[0]["connection"] != ws[2]["connection"])
        for meta in ws {
            let peer = try #require(meta["peer"]?.stringValue)
            #expect(peer.hasPrefix("127.0.0.1:") && Int(peer.dropFirst("127.0.0.1:".count)) != nil, "\(peer)")
        }
        #expect(try await running.stop() == FlowReport(produced: 3, acked: 3, failed: 0))
    }

    @Test func aPingIsAnsweredWithAPongAndTheConnectionGoesOn() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(), registry: registry(port))
        let bound = try await port.wait()
        let (pong, echo) = try await within(seconds: 20) {
            try await RawWebSocket.session(port: bound) { socket in
                try await socket.send(opcode: 0x9, payload: Array("are you there".utf8))
                let pong = try await socket.readFrame()
                try await socket.send(opcode: 0x1, payload: Array(#"{"x":1}"#.utf8))
                return (pong, try await socket.readFrame())
            }
        }
        #expect(pong == RawWebSocket.Frame(fin: true, opcode: 0xA, payload: Array("are you there".utf8)))
        #expect(echo == RawWebSocket.Frame(fin: true, opcode: 0x1, payload: Array(#"{"x":1}"#.utf8)))
        _ = try await running.stop()
    }

    @Test func anOversizedMessageClosesItsConnectionWith1009AndOthersGoOn() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(server(config: ["url": "127.0.0.1:0", "max_message_bytes": 1024])), registry: registry(port))
        let bound = try await port.wait()
        let url = "ws://127.0.0.1:\(bound)/"
        // A neighbour connected before, during and after the oversized messages.
        let (before, oversized, fragmented, after) = try await within(seconds: 30) {
            try await RawWebSocket.session(port: bound) { neighbour in
                try await neighbour.send(opcode: 0x1, payload: Array(#"{"before":1}"#.utf8))
                let before = try await neighbour.readFrame()
                // One frame over the limit, from a real client.
                let oversized = try await converse(url, send: [.text(#"{"big":""# + String(repeating: "x", count: 2000) + #""}"#)], expect: nil)
                // A message over the limit in frames under it.
                let fragmented = try await RawWebSocket.session(port: bound) { socket in
                    try await socket.send(opcode: 0x1, payload: Array(repeating: 0x20, count: 800), fin: false)
                    try await socket.send(opcode: 0x0, payload: Array(repeating: 0x20, count: 800), fin: true)
                    return try await socket.readUntilClose()
                }
                try await neighbour.send(opcode: 0x1, payload: Array(#"{"after":2}"#.utf8))
                return (before, oversized, fragmented, try await neighbour.readFrame())
            }
        }
        #expect(oversized.close?.closeCode == .messageTooLarge)
        #expect(oversized.replies.isEmpty)
        #expect(fragmented?.closeCode == 1009)
        #expect(before?.payload == Array(#"{"before":1}"#.utf8))
        #expect(after?.payload == Array(#"{"after":2}"#.utf8))
        #expect(try await running.stop() == FlowReport(produced: 2, acked: 2, failed: 0))
    }

    @Test func malformedFramesCloseTheConnectionWith1002() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(), registry: registry(port))
        let bound = try await port.wait()
        let (reserved, fragmentedPing, notUTF8) = try await within(seconds: 20) {
            // Opcode 0x3 is reserved.
            let reserved = try await RawWebSocket.session(port: bound) { socket in
                try await socket.send(opcode: 0x3, payload: Array("what is this".utf8))
                return try await socket.readUntilClose()
            }
            // A control frame must not be fragmented.
            let fragmentedPing = try await RawWebSocket.session(port: bound) { socket in
                try await socket.send(opcode: 0x9, payload: Array("ping".utf8), fin: false)
                return try await socket.readUntilClose()
            }
            // Text must be UTF-8.
            let notUTF8 = try await RawWebSocket.session(port: bound) { socket in
                try await socket.send(opcode: 0x1, payload: [0x22, 0xFF, 0xFE, 0x22])
                return try await socket.readUntilClose()
            }
            return (reserved, fragmentedPing, notUTF8)
        }
        #expect(reserved?.closeCode == 1002)
        #expect(fragmentedPing?.closeCode == 1002)
        #expect(notUTF8?.closeCode == 1007)
        #expect(try await running.stop() == FlowReport(produced: 0, acked: 0, failed: 0))
    }

    @Test func aPlainHTTPRequestIsToldToUpgrade() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(), registry: registry(port))
        let bound = try await port.wait()
        let status = try await onThread {
            let socket = try TestSocket.connect(port: bound)
            defer { socket.close() }
            try socket.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return try socket.readLines(1)
        }
        #expect(status == ["HTTP/1.1 426 Upgrade Required\r"])
        _ = try await running.stop()
    }

    @Test func clientsPastMaxConnectionsWaitUntilOneCloses() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(server(config: ["url": "127.0.0.1:0", "max_connections": 1])), registry: registry(port))
        let bound = try await port.wait()
        let second = Task<Conversation, any Error>.detached { () -> Conversation in
            // Started once the first connection is open, below.
            try await Task.sleep(for: .milliseconds(200))
            return try await converse("ws://127.0.0.1:\(bound)/", send: [.text(#"{"second":1}"#)], expect: 1)
        }
        let waited = try await within(seconds: 20) {
            try await RawWebSocket.session(port: bound) { first in
                try await first.send(opcode: 0x1, payload: Array(#"{"first":1}"#.utf8))
                _ = try await first.readFrame()
                try await Task.sleep(for: .milliseconds(700))
                // The second client is still waiting to be accepted.
                return running.runner.router.total.produced
            }
        }
        #expect(waited == 1)
        #expect(try await second.value.replies == [.text(#"{"second":1}"#)])
        #expect(try await running.stop() == FlowReport(produced: 2, acked: 2, failed: 0))
    }

    @Test func anUndecodableMessageGoesToErrAndTheConnectionStaysUp() async throws {
        let port = PortBox()
        let errors = Collected()
        let flow = echoFlow(
            extra: [ConnectorDefinition(name: "errors", type: "collect", location: here)],
            links: [FlowFixtures.link("server", "errors", fromPort: .err)])
        let running = WebSocketFlow(flow, registry: registry(port, adding: [CollectorConnector("collect", errors)]))
        let bound = try await port.wait()
        let conversation = try await converse("ws://127.0.0.1:\(bound)/", send: [.text("{not json"), .text(#"{"ok":1}"#)], expect: 1)
        #expect(conversation.replies == [.text(#"{"ok":1}"#)])
        let failed = try await errors.wait(for: 1)
        let error = try #require(failed.first?.payload)
        #expect(error["data"] == "{not json")
        #expect(error["frame"] == 1)
        let message = try #require(error["error"]?.stringValue)
        #expect(message.hasPrefix("server: frame 1: "), "\(message)")
        #expect(try await running.stop() == FlowReport(produced: 2, acked: 2, failed: 0))
    }

    @Test func eventsNamingNoOpenConnectionFailWithTheReason() async throws {
        let reasons = Reasons()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [ConnectorDefinition(name: "script", type: "answering", location: here), server()],
            links: [FlowFixtures.link("script", "server")])
        let events: [(Value, Value)] = [
            (["no": "meta"], .null),
            (["stale": "connection"], ["ws": ["connection": 987_654_321]]),
            (["bad": "connection"], ["ws": ["connection": "x"]]),
        ]
        let running = WebSocketFlow(flow, registry: registry(PortBox(), adding: [AnsweringConnector(events: events, reasons: reasons)]))
        let report = try await running.finished()
        #expect(report == FlowReport(produced: 3, acked: 0, failed: 3))
        let seen = reasons.all
        #expect(seen.count == 3)
        #expect(seen.filter { $0.contains("without 'ws.connection' metadata; server answers only events that came from one of its connections") }.count == 2, "\(seen)")
        #expect(seen.contains { $0.contains("connection 987654321 is closed (or is not one of server's)") }, "\(seen)")
    }

    @Test func stoppingTheFlowClosesConnectionsWith1001AfterTheirMessages() async throws {
        let port = PortBox()
        let running = WebSocketFlow(echoFlow(), registry: registry(port))
        let bound = try await port.wait()
        let client = Task { try await converse("ws://127.0.0.1:\(bound)/", send: [.text(#"{"n":1}"#)], expect: nil) }
        try await waitUntil { running.runner.router.total.acked == 1 }
        let report = try await running.stop()
        let conversation = try await client.value
        #expect(conversation.replies == [.text(#"{"n":1}"#)])
        #expect(conversation.close?.closeCode == .goingAway)
        #expect(report == FlowReport(produced: 1, acked: 1, failed: 0))
    }

    @Test func wssServesRealClientsAndWsClient() async throws {
        let certificate = try SelfSignedCertificate.make()
        let port = PortBox()
        let running = WebSocketFlow(
            echoFlow(server(config: ["url": "127.0.0.1:0", "tls": ["cert": .string(certificate.cert), "key": .string(certificate.key)]])),
            registry: registry(port))
        let bound = try await port.wait()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate.cert))
        let conversation = try await converse("wss://localhost:\(bound)/", send: [.text(#"{"secure":true}"#)], expect: 1, tls: tls)
        #expect(conversation.replies == [.text(#"{"secure":true}"#)])

        // ws_client trusting the same certificate as its CA: events go out and come back.
        let script = Script()
        let replies = Collected()
        let clientFlow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                ConnectorDefinition(
                    name: "client", type: "ws_client",
                    config: ["url": .string("wss://localhost:\(bound)/"), "tls": ["ca": .string(certificate.cert)]], location: here),
                ConnectorDefinition(name: "replies", type: "collect", location: here),
            ],
            links: [FlowFixtures.link("script", "client"), FlowFixtures.link("client", "replies")])
        let client = WebSocketFlow(clientFlow, registry: registry(PortBox(), adding: [ScriptedConnector(script), CollectorConnector("collect", replies)]))
        for n in 0..<10 { script.emit(["n": .int(Int64(n))]) }
        let received = try await replies.wait(for: 10)
        #expect(received.map(\.payload) == (0..<10).map { ["n": .int(Int64($0))] })
        #expect(received.allSatisfy { $0.meta["ws"] == ["binary": false] })
        script.finish()
        _ = try await client.stop()
        #expect(try await running.stop() == FlowReport(produced: 11, acked: 11, failed: 0))
    }

    // MARK: ws_client

    @Test func clientSendsItsHeadersAndTurnsMessagesIntoEvents() async throws {
        let log = WebSocketPeerLog()
        let peer = try await TestWebSocketServer.start(log: log, greeting: [.text(#"{"hello":1}"#), .binary(ByteBuffer(string: #"{"b":2}"#))])
        let replies = Collected()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(
                    name: "client", type: "ws_client",
                    config: ["url": .string("ws://127.0.0.1:\(peer.port)/feed?x=1"), "headers": ["X-Token": "secret", "X-Count": 3]],
                    location: here),
                ConnectorDefinition(name: "replies", type: "collect", location: here),
            ],
            links: [FlowFixtures.link("client", "replies")])
        let running = WebSocketFlow(flow, registry: registry(PortBox(), adding: [CollectorConnector("collect", replies)]))
        let received = try await replies.wait(for: 2)
        #expect(received.map(\.payload) == [["hello": 1], ["b": 2]])
        #expect(received.map { $0.meta["ws"] } == [["binary": false], ["binary": true]])
        let headers = try #require(log.headers.first)
        #expect(headers[HTTPField.Name("X-Token")!] == "secret")
        #expect(headers[HTTPField.Name("X-Count")!] == "3")
        #expect(try await running.stop() == FlowReport(produced: 2, acked: 2, failed: 0))
        await peer.stop()
    }

    @Test func clientHoldsEventsWhileTheServerRestartsAndLosesNothingAcked() async throws {
        let log = WebSocketPeerLog()
        let first = try await TestWebSocketServer.start(log: log)
        let port = first.port
        let script = Script()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                ConnectorDefinition(
                    name: "client", type: "ws_client", config: ["url": .string("ws://127.0.0.1:\(port)/")],
                    reconnect: ["initial_ms": 20, "max_ms": 100], location: here),
            ],
            links: [FlowFixtures.link("script", "client")])
        let running = WebSocketFlow(flow, registry: registry(PortBox(), adding: [ScriptedConnector(script)]))
        let counts = { running.runner.router.counts(of: 0) }

        for n in 0..<5 { script.emit(["phase": "before", "n": .int(Int64(n))]) }
        #expect(try await log.wait(for: 5) == (0..<5).map { #"{"phase":"before","n":\#($0)}"# })
        try await waitUntil { counts().acked == 5 }

        // The server goes away (closing with 1001): the client opens its breaker and the source
        // holds what follows instead of having it failed.
        await first.stop()
        try await Task.sleep(for: .milliseconds(300))
        for n in 5..<15 { script.emit(["phase": "outage", "n": .int(Int64(n))]) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(counts().acked == 5)
        #expect(counts().failed == 0, "events were failed instead of held while the server was down")

        let second = try await TestWebSocketServer.start(port: port, log: log)
        for n in 15..<20 { script.emit(["phase": "after", "n": .int(Int64(n))]) }
        script.finish()
        let report = try await running.finished()
        #expect(report == FlowReport(produced: 20, acked: 20, failed: 0))
        let expected = (0..<5).map { #"{"phase":"before","n":\#($0)}"# } + (5..<15).map { #"{"phase":"outage","n":\#($0)}"# }
            + (15..<20).map { #"{"phase":"after","n":\#($0)}"# }
        #expect(try await log.wait(for: 20) == expected)
        await second.stop()
    }

    @Test func whenRetriesAreUsedUpEveryEventFailsAndTheRunEnds() async throws {
        let closed = try TestListener.open()
        let port = closed.port
        closed.close()
        let script = Script()
        let replies = Collected()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                ConnectorDefinition(
                    name: "client", type: "ws_client", config: ["url": .string("ws://127.0.0.1:\(port)/")],
                    reconnect: ["initial_ms": 5, "max_ms": 20, "max_retries": 2], location: here),
                ConnectorDefinition(name: "replies", type: "collect", location: here),
            ],
            links: [FlowFixtures.link("script", "client"), FlowFixtures.link("client", "replies")])
        let running = WebSocketFlow(flow, registry: registry(PortBox(), adding: [ScriptedConnector(script), CollectorConnector("collect", replies)]))
        for n in 0..<10 { script.emit(["n": .int(Int64(n))]) }
        script.finish()
        let report = try await running.finished()
        #expect(report == FlowReport(produced: 10, acked: 0, failed: 10))
        #expect(replies.all.isEmpty)
    }

    // MARK: configuration

    @Test func badServerConfigsNameTheKeyAndTheFix() throws {
        let validate = WebSocketServerConnector().info.validate
        #expect(throws: ConnectorConfigError(key: "url", "missing; this connector needs 'url'")) { try validate([:]) }
        #expect(throws: ConnectorConfigError(key: "url", "scheme 'http' is not supported here; use ws://host:port, wss://host:port or host:port")) {
            try validate(["url": "http://127.0.0.1:80"])
        }
        #expect(throws: ConnectorConfigError(key: "url", "a wss:// url needs 'tls: {cert, key}' to serve TLS with")) {
            try validate(["url": "wss://127.0.0.1:443"])
        }
        #expect(throws: ConnectorConfigError(key: "tls", "a server needs its certificate: tls: { cert: server.pem, key: server.key }")) {
            try validate(["url": "127.0.0.1:1", "tls": true])
        }
        #expect(throws: ConnectorConfigError(key: "tls.cert", "cannot read PEM certificates from /nonexistent/cert.pem: not a readable PEM file")) {
            try validate(["url": "127.0.0.1:1", "tls": ["cert": "/nonexistent/cert.pem", "key": "/nonexistent/key.pem"]])
        }
        #expect(throws: ConnectorConfigError(key: "max_message_bytes", "expected an integer in 1...1073741824, got 0")) {
            try validate(["url": "127.0.0.1:1", "max_message_bytes": 0])
        }
        #expect(throws: ConnectorConfigError(key: "port", "unknown key; known keys: max_connections, max_message_bytes, tls, url")) {
            try validate(["url": "127.0.0.1:1", "port": 1])
        }
        #expect(throws: ConnectorConfigError(key: "url", "expected host:port; the server accepts connections on any path, so drop '/ws'")) {
            try validate(["url": "ws://127.0.0.1:8080/ws"])
        }
        try validate(["url": "ws://127.0.0.1:0/", "max_connections": 10])
        // Relative certificate paths are read when the flow starts, next to the flow file.
        try validate(["url": "wss://127.0.0.1:0", "tls": ["cert": "cert.pem", "key": "key.pem"]])
    }

    @Test func badClientConfigsNameTheKeyAndTheFix() throws {
        let validate = WebSocketClientConnector().info.validate
        #expect(throws: ConnectorConfigError(key: "url", "missing; this connector needs 'url'")) { try validate(.null) }
        #expect(throws: ConnectorConfigError(
            key: "url", "scheme 'http' is not supported here; use ws://127.0.0.1:8080/path or wss://example.com/path")) {
            try validate(["url": "http://127.0.0.1:8080/"])
        }
        #expect(throws: ConnectorConfigError(
            key: "url", "expected a ws:// or wss:// url (like ws://127.0.0.1:8080/path or wss://example.com/path), got '127.0.0.1:8080'")) {
            try validate(["url": "127.0.0.1:8080"])
        }
        #expect(throws: ConnectorConfigError(key: "url", "port 0 is out of range; use 1...65535")) { try validate(["url": "ws://127.0.0.1:0/"]) }
        #expect(throws: ConnectorConfigError(key: "tls", "TLS applies to wss:// urls; use a wss:// url or remove 'tls'")) {
            try validate(["url": "ws://127.0.0.1:9/", "tls": true])
        }
        #expect(throws: ConnectorConfigError(key: "tls.ca", "cannot read PEM certificates from /nonexistent/ca.pem: not a readable PEM file")) {
            try validate(["url": "wss://localhost:9/", "tls": ["ca": "/nonexistent/ca.pem"]])
        }
        #expect(throws: ConnectorConfigError(
            key: "url",
            "wss:// needs a host name, not an IP address (TLS names the server it expects); use a name the server's certificate covers, like wss://localhost:9/feed")) {
            try validate(["url": "wss://127.0.0.1:9/feed"])
        }
        #expect(throws: ConnectorConfigError(key: "headers.Upgrade", "set by the WebSocket handshake itself; remove it")) {
            try validate(["url": "ws://127.0.0.1:9/", "headers": ["Upgrade": "h2c"]])
        }
        #expect(throws: ConnectorConfigError(key: "headers.bad header", "not a valid HTTP header name")) {
            try validate(["url": "ws://127.0.0.1:9/", "headers": ["bad header": "x"]])
        }
        #expect(throws: ConnectorConfigError(key: "headers", "expected a mapping of header names to values, got array")) {
            try validate(["url": "ws://127.0.0.1:9/", "headers": ["X-A"]])
        }
        try validate(["url": "wss://example.com/feed?x=1", "tls": ["verify": false], "headers": ["Authorization": "Bearer t"]])
        try validate(["url": "ws://[::1]:8080"])
    }

    @Test func aBadTlsPathStopsTheFlowBeforeItStartsWithItsLocation() async throws {
        let flow = echoFlow(server(config: ["url": "127.0.0.1:0", "tls": ["cert": "missing.pem", "key": "missing.key"]]))
        let runner = FlowRunner(flow: flow, directory: "/nonexistent", connectors: .standard, operators: .standard)
        await #expect {
            _ = try await runner.run()
        } throws: { error in
            "\(error)" == "test.yaml:1:1: connector 'server': config 'tls.cert': cannot read PEM certificates from /nonexistent/missing.pem: not a readable PEM file"
        }
    }

    // MARK: example

    @Test func theEchoExampleAnswersEachClient() async throws {
        let path = LuaIOExampleTests.examples.appendingPathComponent("ws-echo/flow.yaml").path
        let yaml = try String(contentsOfFile: path, encoding: .utf8)
        #expect(yaml.contains("127.0.0.1:4343"), "the example's flow no longer listens on 127.0.0.1:4343")
        let flow = try FlowParser.parse(yaml: yaml.replacingOccurrences(of: "127.0.0.1:4343", with: "127.0.0.1:0"), file: path)
        let port = PortBox()
        let running = WebSocketFlow(flow, registry: registry(port))
        let bound = try await port.wait()
        async let a = converse("ws://127.0.0.1:\(bound)/", send: [.text(#"{"from":"a"}"#), .text(#"{"n":1}"#)], expect: 2)
        async let b = converse("ws://127.0.0.1:\(bound)/", send: [.binary(ByteBuffer(string: #"{"from":"b"}"#))], expect: 1)
        #expect(try await a.replies == [.text(#"{"from":"a"}"#), .text(#"{"n":1}"#)])
        #expect(try await b.replies == [.binary(ByteBuffer(string: #"{"from":"b"}"#))])
        #expect(try await running.stop() == FlowReport(produced: 3, acked: 3, failed: 0))
    }
}

// MARK: - Real clients

/// What one client saw: the messages that came back, and the server's close frame if it sent one.
struct Conversation: Sendable {
    var replies: [WebSocketMessage]
    var close: WebSocketCloseFrame?
}

/// Messages a test client received.
final class ReceivedMessages: Sendable {
    let list = Mutex<[WebSocketMessage]>([])
}

/// Connects to `url` with hummingbird-websocket's client, sends `frames` while reading, and keeps
/// the first `expect` messages (`nil`: every message until the server closes), within `seconds`.
func converse(
    _ url: String, send frames: [WebSocketOutboundWriter.OutboundFrame], expect: Int?, tls: TLSConfiguration? = nil, seconds: Int = 20
) async throws -> Conversation {
    let logger = {
        var logger = Logger(label: "test.websocket-client")
        logger.logLevel = .critical
        return logger
    }()
    let received = ReceivedMessages()
    let close = try await within(seconds: seconds) {
        try await WebSocketClient.connect(
            url: url, configuration: WebSocketClientConfiguration(maxFrameSize: 1 << 20), tlsConfiguration: tls, logger: logger
        ) { inbound, outbound, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for frame in frames { try await outbound.write(frame) }
                }
                if expect != 0 {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        let count = received.list.withLock { $0.append(message); return $0.count }
                        if let expect, count >= expect { break }
                    }
                }
                try await group.waitForAll()
            }
        }
    }
    return Conversation(replies: received.list.withLock { $0 }, close: close)
}

// MARK: - Flows

/// A flow running in the background with the standard operators.
struct WebSocketFlow {
    let runner: FlowRunner
    let task: Task<FlowReport, any Error>

    init(_ flow: FlowDefinition, registry: ConnectorRegistry) {
        let runner = FlowRunner(flow: flow, directory: ".", connectors: registry, operators: .standard)
        self.runner = runner
        task = Task { try await runner.run() }
    }

    /// Stops the sources and waits (at most 30 s) for the drained run's report.
    func stop() async throws -> FlowReport {
        runner.stop()
        return try await finished()
    }

    /// Waits (at most 30 s) for the run to end.
    func finished() async throws -> FlowReport {
        let task = self.task
        return try await within(seconds: 30) { try await task.value }
    }
}

/// The failure reasons a source was told.
final class Reasons: Sendable {
    private let reasons = Mutex<[String]>([])

    func append(_ reason: String) { reasons.withLock { $0.append(reason) } }
    var all: [String] { reasons.withLock { $0 } }
}

/// A source that emits the given events (payload, meta), each in its own batch, and ends once
/// each one's fate is known, keeping the failure reasons.
struct AnsweringConnector: ConnectorFactory {
    let events: [(Value, Value)]
    let reasons: Reasons

    var info: ConnectorTypeInfo { ConnectorTypeInfo(name: "answering", hasSource: true, hasSink: false) { _ throws(ConnectorConfigError) in } }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(source: AnsweringSource(events: events, reasons: reasons))
    }

    struct AnsweringSource: Source {
        let events: [(Value, Value)]
        let reasons: Reasons

        func run(_ context: SourceContext) async throws {
            let acknowledgements = context.acknowledgements()
            var stream = try context.openStream()
            for (payload, meta) in events {
                await stream.emit(payload, meta: meta)
                await stream.flush()
            }
            var seen = 0
            for await acknowledgement in acknowledgements {
                if !acknowledgement.delivered {
                    for _ in acknowledgement.ids { reasons.append(acknowledgement.reason ?? "") }
                }
                seen += acknowledgement.ids.count
                if seen == events.count { break }
            }
        }
    }
}
