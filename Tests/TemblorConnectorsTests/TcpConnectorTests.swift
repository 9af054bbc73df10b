import Foundation
import Synchronization
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorTestSupport
import TemblorValue

#if canImport(Glibc)
import Glibc
#endif

/// `tcp_server` and `tcp_client` in whole flows against test peers on 127.0.0.1. Every wait is
/// bounded; nothing asserts speed.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TcpConnectorTests {
    let here = SourceLocation(file: "test.yaml", line: 1, column: 1)

    func link(_ from: String, _ to: String, fromPort: TemblorRuntime.Port = .out) -> LinkDefinition {
        LinkDefinition(from: LinkEndpoint(node: from, port: fromPort), to: LinkEndpoint(node: to, port: .in), location: here)
    }

    func server(_ name: String = "server", config: Value = ["url": "127.0.0.1:0"]) -> ConnectorDefinition {
        ConnectorDefinition(name: name, type: "tcp_server", config: config, location: here)
    }

    /// A registry whose `tcp_server` reports its bound port to `port`.
    func registry(_ port: PortBox, adding extra: [any ConnectorFactory] = []) -> ConnectorRegistry {
        var registry = ConnectorRegistry.standard
        registry.register(TcpServerConnector { port.set($0) })
        for factory in extra { registry.register(factory) }
        return registry
    }

    // MARK: tcp_server

    @Test func echoesAThousandLinesInOrderOnTheSameConnection() async throws {
        let port = PortBox()
        let flow = FlowDefinition(file: "test.yaml", connectors: [server()], links: [link("server", "server")])
        let running = RunningFlow(flow, registry: registry(port))
        let bound = try await port.wait()
        let lines = (0..<1000).map { #"{"n":\#($0),"text":"line \#($0)"}"# }
        let replies = try await onThread {
            let socket = try TestSocket.connect(port: bound)
            defer { socket.close() }
            try socket.send(lines.map { $0 + "\n" }.joined())
            return try socket.readLines(1000)
        }
        #expect(replies == lines)
        let report = try await running.stop()
        #expect(report == FlowReport(produced: 1000, acked: 1000, failed: 0))
    }

    @Test func twoConcurrentClientsEachGetOnlyTheirOwnReplies() async throws {
        let port = PortBox()
        let flow = FlowDefinition(file: "test.yaml", connectors: [server()], links: [link("server", "server")])
        let running = RunningFlow(flow, registry: registry(port))
        let bound = try await port.wait()
        @Sendable func client(_ tag: String) throws -> ([String], [String]) {
            let socket = try TestSocket.connect(port: bound)
            defer { socket.close() }
            let lines = (0..<300).map { #"{"client":"\#(tag)","n":\#($0)}"# }
            // Send in pieces so that the two clients interleave on the server.
            for chunk in stride(from: 0, to: lines.count, by: 50) {
                try socket.send(lines[chunk..<min(chunk + 50, lines.count)].map { $0 + "\n" }.joined())
            }
            return (lines, try socket.readLines(lines.count))
        }
        async let a = onThread { try client("a") }
        async let b = onThread { try client("b") }
        let (sentA, gotA) = try await a
        let (sentB, gotB) = try await b
        #expect(gotA == sentA)
        #expect(gotB == sentB)
        let report = try await running.stop()
        #expect(report == FlowReport(produced: 600, acked: 600, failed: 0))
    }

    @Test func aPeerClosingMidLineDeliversEarlierEventsAndReportsThePartialLine() async throws {
        let port = PortBox()
        let events = Collected()
        let errors = Collected()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                server(),
                ConnectorDefinition(name: "events", type: "collect-events", location: here),
                ConnectorDefinition(name: "errors", type: "collect-errors", location: here),
            ],
            links: [link("server", "events"), link("server", "errors", fromPort: .err)])
        let running = RunningFlow(
            flow,
            registry: registry(port, adding: [CollectorConnector("collect-events", events), CollectorConnector("collect-errors", errors)]))
        let bound = try await port.wait()
        let clientPort = try await onThread {
            let socket = try TestSocket.connect(port: bound)
            defer { socket.close() }
            try socket.send("{\"n\":1}\n{\"n\":2}\n{\"n\":")
            return socket.localPort
        }
        let received = try await events.wait(for: 2)
        let failed = try await errors.wait(for: 1)
        #expect(received.map(\.payload) == [["n": 1], ["n": 2]])
        #expect(received[0].meta["peer"] == .string("127.0.0.1:\(clientPort)"))
        #expect(received[0].meta["connection"]?.intValue != nil)
        #expect(received[0].meta["connection"] == received[1].meta["connection"])
        let error = try #require(failed.first?.payload)
        #expect(error["frame"] == 3)
        #expect(error["data"] == .string("{\"n\":"))
        let message = try #require(error["error"]?.stringValue)
        #expect(message.hasPrefix("server: line 3: "), "\(message)")
        #expect(error["line"] == 3)
        #expect(message.contains("unexpected end of input"), "\(message)")
        let report = try await running.stop()
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
    }

    @Test func eventsWithoutALiveConnectionAreFailed() async throws {
        let script = Script()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [ConnectorDefinition(name: "script", type: "scripted", location: here), server()],
            links: [link("script", "server")])
        let running = RunningFlow(flow, registry: registry(PortBox(), adding: [ScriptedConnector(script)]))
        script.emit(["no": "connection"])
        script.emit(["stale": "connection"], meta: ["connection": 987_654_321])
        script.emit(["bad": "connection"], meta: ["connection": "x"])
        script.finish()
        let report = try await running.finished()
        #expect(report == FlowReport(produced: 3, acked: 0, failed: 3))
    }

    @Test func connectionsOverMaxConnectionsAreClosed() async throws {
        let port = PortBox()
        let flow = FlowDefinition(
            file: "test.yaml", connectors: [server(config: ["url": "127.0.0.1:0", "max_connections": 1])],
            links: [link("server", "server")])
        let running = RunningFlow(flow, registry: registry(port))
        let bound = try await port.wait()
        let (first, secondClosed) = try await onThread {
            let first = try TestSocket.connect(port: bound)
            defer { first.close() }
            try first.send("1\n")
            let reply = try first.readLines(1)
            let second = try TestSocket.connect(port: bound)
            defer { second.close() }
            return (reply, try second.waitForClose())
        }
        #expect(first == ["1"])
        #expect(secondClosed)
        _ = try await running.stop()
    }

    @Test func stoppingTheFlowClosesTheListenerAndItsConnections() async throws {
        let port = PortBox()
        let flow = FlowDefinition(file: "test.yaml", connectors: [server()], links: [link("server", "server")])
        let running = RunningFlow(flow, registry: registry(port))
        let bound = try await port.wait()
        let (socket, reply) = try await onThread { () throws -> (TestSocket, [String]) in
            let socket = try TestSocket.connect(port: bound)
            try socket.send("7\n")
            return (socket, try socket.readLines(1))
        }
        defer { socket.close() }
        #expect(reply == ["7"])
        let report = try await running.stop()
        #expect(report == FlowReport(produced: 1, acked: 1, failed: 0))
        #expect(try await onThread { try socket.waitForClose() })
        #expect(throws: TestNetError.self) { try TestSocket.connect(port: bound).close() }
    }

    // MARK: tcp_client

    @Test func clientSinkDeliversEveryEventToTheServer() async throws {
        let listener = try TestListener.open()
        defer { listener.close() }
        let script = Script()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                ConnectorDefinition(name: "client", type: "tcp_client", config: ["url": .string("127.0.0.1:\(listener.port)")], location: here),
            ],
            links: [link("script", "client")])
        let running = RunningFlow(flow, registry: registry(PortBox(), adding: [ScriptedConnector(script)]))
        let peer = try await onThread { try listener.accept() }
        defer { peer.close() }
        for n in 0..<500 { script.emit(["n": .int(Int64(n))]) }
        script.finish()
        // Bounded, but generous: with the whole suite running beside it on two cores, the 500
        // events have taken tens of seconds to go through.
        let lines = try await onThread { try peer.readLines(500, seconds: 90) }
        #expect(lines == (0..<500).map { #"{"n":\#($0)}"# })
        let report = try await running.finished()
        #expect(report == FlowReport(produced: 500, acked: 500, failed: 0))
    }

    @Test func clientSourceTurnsWhatTheServerSendsIntoEvents() async throws {
        let listener = try TestListener.open()
        defer { listener.close() }
        let replies = Collected()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "client", type: "tcp_client", config: ["url": .string("127.0.0.1:\(listener.port)")], location: here),
                ConnectorDefinition(name: "replies", type: "collect", location: here),
            ],
            links: [link("client", "replies")])
        let running = RunningFlow(flow, registry: registry(PortBox(), adding: [CollectorConnector("collect", replies)]))
        let peer = try await onThread { try listener.accept() }
        defer { peer.close() }
        try await onThread { try peer.send("{\"r\":1}\n{\"r\":2}\n{\"r\":3}\n") }
        let received = try await replies.wait(for: 3)
        #expect(received.map(\.payload) == [["r": 1], ["r": 2], ["r": 3]])
        #expect(received[0].meta["peer"] == .string("127.0.0.1:\(listener.port)"))
        let report = try await running.stop()
        #expect(report == FlowReport(produced: 3, acked: 3, failed: 0))
    }

    @Test func clientHoldsEventsWhileTheServerIsDownAndDeliversThemAfter() async throws {
        let first = try TestListener.open()
        let port = first.port
        let script = Script()
        let flow = FlowDefinition(
            file: "test.yaml",
            connectors: [
                ConnectorDefinition(name: "script", type: "scripted", location: here),
                ConnectorDefinition(
                    name: "client", type: "tcp_client", config: ["url": .string("127.0.0.1:\(port)")],
                    reconnect: ["initial_ms": 20, "max_ms": 100], location: here),
            ],
            links: [link("script", "client")])
        let running = RunningFlow(flow, registry: registry(PortBox(), adding: [ScriptedConnector(script)]))
        let counts = { running.runner.router.counts(of: 0) }

        // Before the outage: everything arrives.
        let peer1 = try await onThread { try first.accept() }
        for n in 0..<5 { script.emit(["phase": "before", "n": .int(Int64(n))]) }
        #expect(try await onThread { try peer1.readLines(5) } == (0..<5).map { #"{"phase":"before","n":\#($0)}"# })
        try await waitUntil { counts().acked == 5 }

        // The outage: the client sees the connection drop and opens its circuit breaker, so
        // the source holds the events that follow instead of having them failed.
        peer1.close()
        first.close()
        try await Task.sleep(for: .milliseconds(300))
        for n in 5..<15 { script.emit(["phase": "outage", "n": .int(Int64(n))]) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(counts().acked == 5)
        #expect(counts().failed == 0, "events were failed instead of held while the server was down")

        // Back up: the held events and the ones after them arrive in order.
        let second = try TestListener.open(port: port)
        defer { second.close() }
        let peer2 = try await onThread { try second.accept() }
        defer { peer2.close() }
        for n in 15..<20 { script.emit(["phase": "after", "n": .int(Int64(n))]) }
        script.finish()
        let report = try await running.finished()
        #expect(report == FlowReport(produced: 20, acked: 20, failed: 0))
        let expected = (5..<15).map { #"{"phase":"outage","n":\#($0)}"# } + (15..<20).map { #"{"phase":"after","n":\#($0)}"# }
        #expect(try await onThread { try peer2.readLines(15) } == expected)
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
                    name: "client", type: "tcp_client", config: ["url": .string("127.0.0.1:\(port)")],
                    reconnect: ["initial_ms": 5, "max_ms": 20, "max_retries": 2], location: here),
                ConnectorDefinition(name: "replies", type: "collect", location: here),
            ],
            links: [link("script", "client"), link("client", "replies")])
        let running = RunningFlow(flow, registry: registry(PortBox(), adding: [ScriptedConnector(script), CollectorConnector("collect", replies)]))
        for n in 0..<10 { script.emit(["n": .int(Int64(n))]) }
        script.finish()
        // Ends by itself: the client's source ends once it gives up.
        let report = try await running.finished()
        #expect(report == FlowReport(produced: 10, acked: 0, failed: 10))
        #expect(replies.all.isEmpty)
    }

    // MARK: configuration

    @Test func badServerConfigsNameTheKeyAndTheFix() throws {
        let validate = TcpServerConnector().info.validate
        #expect(throws: ConnectorConfigError(key: "url", "missing; this connector needs 'url'")) { try validate([:]) }
        #expect(throws: ConnectorConfigError(key: "url", "expected host:port (like 127.0.0.1:4242, or port 0 for any free port), got 'localhost'")) {
            try validate(["url": "localhost"])
        }
        #expect(throws: ConnectorConfigError(key: "url", "port 70000 is out of range; use 0...65535")) { try validate(["url": "127.0.0.1:70000"]) }
        #expect(throws: ConnectorConfigError(key: "url", "the port must be a number, got 'http' in '127.0.0.1:http'")) {
            try validate(["url": "127.0.0.1:http"])
        }
        #expect(throws: ConnectorConfigError(key: "url", "scheme 'http' is not supported here; use tcp://host:port or host:port")) {
            try validate(["url": "http://127.0.0.1:80"])
        }
        #expect(throws: ConnectorConfigError(key: "url", "expected a string, got 4242")) { try validate(["url": 4242]) }
        #expect(throws: ConnectorConfigError(key: "max_connections", "expected an integer in 1...1000000, got 0")) {
            try validate(["url": "127.0.0.1:1", "max_connections": 0])
        }
        #expect(throws: ConnectorConfigError(key: "port", "unknown key; known keys: max_connections, tls, url")) {
            try validate(["url": "127.0.0.1:1", "port": 1])
        }
        try validate(["url": "tcp://[::1]:0"])
        try validate(["url": "localhost:4242", "max_connections": 10])
    }

    @Test func badClientConfigsNameTheKeyAndTheFix() throws {
        let validate = TcpClientConnector().info.validate
        #expect(throws: ConnectorConfigError(key: "url", "missing; this connector needs 'url'")) { try validate(.null) }
        #expect(throws: ConnectorConfigError(key: "url", "port 0 is out of range; use 1...65535")) { try validate(["url": "127.0.0.1:0"]) }
        #expect(throws: ConnectorConfigError(key: "url", "port 123456 is out of range; use 1...65535")) { try validate(["url": "127.0.0.1:123456"]) }
        #expect(throws: ConnectorConfigError(key: "url", "expected host:port (like 127.0.0.1:4242), got ':80'")) { try validate(["url": ":80"]) }
        #expect(throws: ConnectorConfigError(key: "url", "expected [ipv6]:port, got '[::1]'")) { try validate(["url": "[::1]"]) }

        func make(reconnect: Value) throws(ConnectorConfigError) {
            let definition = ConnectorDefinition(
                name: "c", type: "tcp_client", config: ["url": "127.0.0.1:9"], reconnect: reconnect, location: here)
            _ = try TcpClientConnector().make(definition, directory: ".")
        }
        try make(reconnect: ["initial_ms": 10, "max_retries": 0])
        #expect(throws: ConnectorConfigError(key: "reconnect.max_ms", "must be at least initial_ms (500), got 100")) {
            try make(reconnect: ["initial_ms": 500, "max_ms": 100])
        }
        #expect(throws: ConnectorConfigError(key: "reconnect.jitter", "expected a number in 0...1, got 1.5")) { try make(reconnect: ["jitter": 1.5]) }
        #expect(throws: ConnectorConfigError(key: "reconnect.multiplier", "expected a number in 1...1000, got 0.5")) {
            try make(reconnect: ["multiplier": 0.5])
        }
        #expect(throws: ConnectorConfigError(key: "reconnect.max_retries", "expected an integer in 0...2147483647, got -1")) {
            try make(reconnect: ["max_retries": -1])
        }
        #expect(throws: ConnectorConfigError(key: "reconnect.retries", "unknown key; known keys: initial_ms, jitter, max_ms, max_retries, multiplier")) {
            try make(reconnect: ["retries": 3])
        }
        #expect(throws: ConnectorConfigError(key: "reconnect", "expected a mapping with keys initial_ms, jitter, max_ms, max_retries, multiplier, got string")) {
            try make(reconnect: "fast")
        }
    }

    @Test func aBadUrlStopsTheFlowBeforeItStartsWithItsLocation() async throws {
        let flow = FlowDefinition(
            file: "test.yaml", connectors: [server(config: ["url": "127.0.0.1:99999"])], links: [link("server", "server")])
        let runner = FlowRunner(flow: flow, directory: ".", connectors: .standard, operators: OperatorRegistry())
        await #expect {
            _ = try await runner.run()
        } throws: { error in
            "\(error)" == "test.yaml:1:1: connector 'server': config 'url': port 99999 is out of range; use 0...65535"
        }
    }
}

/// The delay sequence of the reconnect strategy, with the random source injected.
@Suite struct ReconnectStrategyTests {
    @Test func defaultsFollowTremor() throws {
        let strategy = try ReconnectStrategy(.null)
        #expect(strategy == ReconnectStrategy(initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.2, maxRetries: nil))
        #expect(try ReconnectStrategy(["max_retries": 3, "jitter": 0]).maxRetries == 3)
    }

    @Test func delaysGrowByTheMultiplierAndStopAtMaxMs() {
        let strategy = ReconnectStrategy(initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0)
        let delays = (1...7).map { strategy.delayMs(beforeRetry: $0) { 0.5 } }
        #expect(delays == [100, 200, 400, 800, 1000, 1000, 1000])
        #expect(strategy.delayMs(beforeRetry: 1_000_000) { 0 } == 1000)
        let flat = ReconnectStrategy(initialMs: 250, maxMs: 1000, multiplier: 1, jitter: 0)
        #expect((1...4).map { flat.delayMs(beforeRetry: $0) { 0 } } == [250, 250, 250, 250])
        let fractional = ReconnectStrategy(initialMs: 100, maxMs: 10_000, multiplier: 1.5, jitter: 0)
        #expect((1...3).map { fractional.delayMs(beforeRetry: $0) { 0 } } == [100, 150, 225])
    }

    @Test func jitterShortensADelayByAtMostItsFraction() {
        let strategy = ReconnectStrategy(initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.25)
        #expect(strategy.delayMs(beforeRetry: 3) { 0 } == 400)
        #expect(strategy.delayMs(beforeRetry: 3) { 1 } == 300)
        #expect(strategy.delayMs(beforeRetry: 3) { 0.5 } == 350)
        // Out-of-range randomness is clamped, never making a delay negative or longer than max_ms.
        #expect(strategy.delayMs(beforeRetry: 9) { 7 } == 750)
        #expect(strategy.delayMs(beforeRetry: 9) { -3 } == 1000)
        var generator = SplitMix64(seed: 42)
        for retry in 1...50 {
            let nominal = strategy.nominalDelayMs(beforeRetry: retry)
            let delay = strategy.delayMs(beforeRetry: retry) { Double.random(in: 0...1, using: &generator) }!
            #expect(delay >= nominal * 0.75 && delay <= nominal, "retry \(retry): \(delay) vs \(nominal)")
            #expect(delay <= 1000)
        }
    }

    @Test func maxRetriesStopsRetrying() {
        let strategy = ReconnectStrategy(initialMs: 10, maxMs: 100, multiplier: 2, jitter: 0, maxRetries: 3)
        #expect((1...5).map { strategy.delayMs(beforeRetry: $0) { 0 } } == [10, 20, 40, nil, nil])
        #expect(ReconnectStrategy(maxRetries: 0).delay(beforeRetry: 1) == nil)
        #expect(ReconnectStrategy(initialMs: 10, jitter: 0).delay(beforeRetry: 1) == .milliseconds(10))
        #expect(ReconnectStrategy().delay(beforeRetry: 10_000) != nil)
    }
}

// MARK: - Test connectors

/// Events a collecting sink received, readable from the test.
final class Collected: Sendable {
    private let events = Mutex<[Event]>([])

    func append(_ batch: [Event]) {
        events.withLock { $0.append(contentsOf: batch) }
    }

    var all: [Event] { events.withLock { $0 } }

    /// Waits (at most `seconds`) until `count` events arrived, and returns them.
    func wait(for count: Int, seconds: Double = 10) async throws -> [Event] {
        try await waitUntil(seconds: seconds) { self.all.count >= count }
        return all
    }
}

/// A sink type that keeps what it receives and acks it.
struct CollectorConnector: ConnectorFactory {
    let name: String
    let collected: Collected

    init(_ name: String, _ collected: Collected) {
        self.name = name
        self.collected = collected
    }

    var info: ConnectorTypeInfo { ConnectorTypeInfo(name: name, hasSource: false, hasSink: true) { _ throws(ConnectorConfigError) in } }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(sink: CollectorSink(collected: collected))
    }
}

struct CollectorSink: Sink {
    let collected: Collected

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        while let batch = await input.next() {
            collected.append(batch)
            context.ack(batch)
        }
    }
}

/// Values the test emits into a flow, one batch each, until it finishes.
final class Script: Sendable {
    let stream: AsyncStream<(Value, Value)>
    private let continuation: AsyncStream<(Value, Value)>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream()
    }

    func emit(_ payload: Value, meta: Value = .null) { continuation.yield((payload, meta)) }
    func finish() { continuation.finish() }
}

/// A source type that emits what its script says and ends with it.
struct ScriptedConnector: ConnectorFactory {
    let script: Script

    init(_ script: Script) {
        self.script = script
    }

    var info: ConnectorTypeInfo { ConnectorTypeInfo(name: "scripted", hasSource: true, hasSink: false) { _ throws(ConnectorConfigError) in } }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(source: ScriptedSource(script: script))
    }
}

struct ScriptedSource: Source {
    let script: Script

    func run(_ context: SourceContext) async throws {
        var stream = try context.openStream()
        for await (payload, meta) in script.stream {
            await stream.emit(payload, meta: meta)
            await stream.flush()
        }
    }
}

// MARK: - Running flows

/// A flow running in the background.
struct RunningFlow {
    let runner: FlowRunner
    let task: Task<FlowReport, any Error>

    init(_ flow: FlowDefinition, registry: ConnectorRegistry, operators: OperatorRegistry = OperatorRegistry(), directory: String = ".") {
        let runner = FlowRunner(flow: flow, directory: directory, connectors: registry, operators: operators)
        self.runner = runner
        task = Task { try await runner.run() }
    }

    /// Stops the sources and waits for the drained run's report.
    func stop() async throws -> FlowReport {
        runner.stop()
        return try await task.value
    }

    /// Waits for the run to end by itself.
    func finished() async throws -> FlowReport {
        try await task.value
    }
}

/// The port a listener bound, handed from its connector to the test.
final class PortBox: Sendable {
    private let port = Mutex<Int?>(nil)

    func set(_ value: Int) { port.withLock { $0 = value } }

    func wait(seconds: Double = 10) async throws -> Int {
        try await waitUntil(seconds: seconds) { self.port.withLock { $0 } != nil }
        return port.withLock { $0! }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every few milliseconds, for at most `seconds`.
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(description: "condition not met within \(seconds) s") }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Runs blocking socket code on its own thread, away from the concurrency pool.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

// MARK: - Loopback sockets

struct TestNetError: Error, CustomStringConvertible {
    var description: String
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
}

func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

func boundPort(_ fd: Int32) -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A blocking TCP connection on 127.0.0.1 whose every wait has a deadline. One thread drives it
/// at a time (each test uses it inside one `onThread` block at a time), hence `@unchecked`.
final class TestSocket: @unchecked Sendable {
    let fd: Int32
    private var pending: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    static func connect(port: Int) throws -> TestSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestNetError("socket") }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = TestNetError("connect to 127.0.0.1:\(port)")
            Glibc.close(fd)
            throw error
        }
        return TestSocket(fd: fd)
    }

    var localPort: Int { boundPort(fd) }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while offset < bytes.count {
            guard ContinuousClock.now < deadline else { throw TimedOut(description: "send did not finish") }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { throw TestNetError("poll") }
            if poller.revents == 0 { continue }
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw TestNetError("send")
            }
            offset += n
        }
    }

    /// Reads until `count` lines arrived (without their newlines), the peer closed, or `seconds` passed.
    func readLines(_ count: Int, seconds: Double = 10) throws -> [String] {
        var lines: [String] = []
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            while lines.count < count, let newline = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[..<newline], as: UTF8.self))
                pending.removeSubrange(...newline)
            }
            if lines.count >= count || ContinuousClock.now >= deadline { return lines }
            guard let chunk = try receive(until: deadline) else { return lines }
            pending.append(contentsOf: chunk)
        }
    }

    /// Whether the peer closed the connection within `seconds` (data before the close is dropped).
    func waitForClose(seconds: Double = 10) throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            do {
                if try receive(until: deadline) == nil { return true }
            } catch let error as TestNetError where error.description.contains("reset") {
                return true
            }
        }
        return false
    }

    /// One read: bytes, `nil` at the peer's close, or empty when the deadline passed.
    private func receive(until deadline: ContinuousClock.Instant) throws -> [UInt8]? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 50) >= 0 else { throw TestNetError("poll") }
        if poller.revents == 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n == 0 { return nil }
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { return [] }
            throw TestNetError("recv")
        }
        return Array(buffer[..<n])
    }

    func close() {
        Glibc.close(fd)
    }
}

/// A listening TCP socket on 127.0.0.1 (port 0 picks a free one).
final class TestListener: Sendable {
    let fd: Int32
    let port: Int

    private init(fd: Int32, port: Int) {
        self.fd = fd
        self.port = port
    }

    static func open(port: Int = 0) throws -> TestListener {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestNetError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let error = TestNetError("listen on 127.0.0.1:\(port)")
            Glibc.close(fd)
            throw error
        }
        return TestListener(fd: fd, port: boundPort(fd))
    }

    /// The next connection, waiting at most `seconds`.
    func accept(seconds: Double = 10) throws -> TestSocket {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(seconds * 1000)) > 0 else { throw TimedOut(description: "no connection within \(seconds) s") }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { throw TestNetError("accept") }
        return TestSocket(fd: client)
    }

    func close() {
        Glibc.close(fd)
    }
}
