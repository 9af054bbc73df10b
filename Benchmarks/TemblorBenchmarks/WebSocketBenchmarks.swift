import HTTPTypes
import HummingbirdCore
import HummingbirdWSClient
import HummingbirdWebSocket
import NIOPosix
import Logging
import NIOCore
import Synchronization
import TemblorConnectors
import TemblorRuntime
import TemblorValue

/// `ws_server -> passthrough -> ws_server` echoing: `clients` WebSocket clients each send
/// `messages` small JSON messages while reading their answers; reports the answered messages per
/// second, from the first connection to the last answer.
enum WebSocketBenchmarks {
    struct Incomplete: Error, CustomStringConvertible {
        var description: String
    }

    /// A number one task sets and another reads (the bound port, a client's answers).
    final class Box: Sendable {
        let value = Mutex<Int?>(nil)
    }

    static func echo(clients: Int, messages: Int) async throws {
        let bound = Box()
        var registry = ConnectorRegistry.standard
        registry.register(WebSocketServerConnector { port in bound.value.withLock { $0 = port } })
        let here = SourceLocation(file: "bench.yaml", line: 1, column: 1)
        let flow = FlowDefinition(
            file: "bench.yaml",
            connectors: [ConnectorDefinition(name: "server", type: "ws_server", config: ["url": "127.0.0.1:0"], location: here)],
            pipelines: [PipelineDefinition(name: "echo", operators: [OperatorDefinition(name: "passthrough", location: here)], location: here)],
            links: [
                LinkDefinition(from: LinkEndpoint(node: "server", port: .out), to: LinkEndpoint(node: "echo", port: .in), location: here),
                LinkDefinition(from: LinkEndpoint(node: "echo", port: .out), to: LinkEndpoint(node: "server", port: .in), location: here),
            ])
        let runner = FlowRunner(flow: flow, directory: ".", connectors: registry, operators: .standard)
        let run = Task { try await runner.run() }
        while bound.value.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
        let port = bound.value.withLock { $0 } ?? 0
        let (answered, elapsed) = try await load(port: port, clients: clients, messages: messages)
        runner.stop()
        let report = try await run.value
        print(line(mode: "ws-echo", clients: clients, answered: answered, elapsed: elapsed) + " acked=\(report.acked) failed=\(report.failed)")
    }

    /// The reference: a plain hummingbird-websocket server echoing each message, no flow.
    static func plainEcho(clients: Int, messages: Int) async throws {
        let bound = Box()
        let child = HTTP1WebSocketUpgradeChannel(
            responder: { _, writer, _ in try await writer.writeResponse(HTTPResponse(status: .upgradeRequired)) },
            configuration: .init(),
            shouldUpgrade: { _, _, _ in
                .upgrade([:]) { inbound, outbound, _ in
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        switch message {
                        case .text(let text): try await outbound.write(.text(text))
                        case .binary(let bytes): try await outbound.write(.binary(bytes))
                        }
                    }
                }
            })
        var logger = Logger(label: "bench.websocket-server")
        logger.logLevel = .critical
        let server = Server(
            childChannelSetup: child, configuration: ServerConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.value.withLock { $0 = channel.localAddress?.port } },
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let run = Task { try await server.run() }
        while bound.value.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
        let (answered, elapsed) = try await load(port: bound.value.withLock { $0 } ?? 0, clients: clients, messages: messages)
        try await server.shutdownGracefully()
        _ = try? await run.value
        print(line(mode: "ws-echo-hummingbird", clients: clients, answered: answered, elapsed: elapsed))
    }

    /// `clients` clients each sending `messages` messages while reading their answers; the
    /// answers counted and the time from the first connection to the last answer.
    static func load(port: Int, clients: Int, messages: Int) async throws -> (Int, Duration) {
        var logger = Logger(label: "bench.websocket-client")
        logger.logLevel = .critical
        let quiet = logger

        let start = ContinuousClock.now
        let answered = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0..<clients {
                group.addTask {
                    let count = Box()
                    try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/", logger: quiet) { inbound, outbound, _ in
                        try await withThrowingTaskGroup(of: Void.self) { sending in
                            sending.addTask {
                                for n in 0..<messages {
                                    try await outbound.write(.text(#"{"client":\#(client),"n":\#(n),"msg":"hello"}"#))
                                }
                            }
                            var received = 0
                            for try await _ in inbound.messages(maxSize: 1 << 20) {
                                received += 1
                                if received == messages { break }
                            }
                            count.value.withLock { $0 = received }
                            try await sending.waitForAll()
                        }
                    }
                    return count.value.withLock { $0 } ?? 0
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - start
        guard answered == clients * messages else {
            throw Incomplete(description: "only \(answered) of \(clients * messages) messages were answered")
        }
        return (answered, elapsed)
    }

    static func line(mode: String, clients: Int, answered: Int, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return "mode=\(mode) clients=\(clients) messages=\(answered) seconds=\(String(format: "%.3f", seconds)) messages_per_s=\(Int(Double(answered) / seconds))"
    }
}
