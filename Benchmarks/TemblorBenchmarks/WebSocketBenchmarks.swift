import HummingbirdWSClient
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
        runner.stop()
        let report = try await run.value
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        guard answered == clients * messages else {
            throw Incomplete(description: "only \(answered) of \(clients * messages) messages were answered")
        }
        let rate = Double(answered) / seconds
        print(
            "mode=ws-echo clients=\(clients) messages=\(answered) seconds=\(String(format: "%.3f", seconds)) "
                + "messages_per_s=\(Int(rate)) acked=\(report.acked) failed=\(report.failed)")
    }
}
