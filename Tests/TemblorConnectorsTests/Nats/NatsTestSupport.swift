import Foundation
import NIOCore
import Synchronization
import TemblorConnectors
import TemblorNATS
import TemblorRuntime
import TemblorTestSupport
import TemblorValue
import Testing

/// Whether the suites that need a real server can run.
let natsServerInstalled = NATSServer.binary != nil
let natsServerMissing: Comment = "nats-server is not installed (scripts/bootstrap.sh installs it)"

/// A nats-server of a test's own on 127.0.0.1, with a client of the test's own beside the flow's.
struct NatsScene {
    let server: NATSServer
    let client: NATSClient
    let jetStream: JetStreamContext

    static func start() async throws -> NatsScene {
        let server = try await NATSServer.start()
        var options = NATSClientOptions(servers: [NATSServerAddress(host: "127.0.0.1", port: server.port)])
        options.reconnectDelay = { _ in .milliseconds(50) }
        let client = NATSClient(options: options)
        try await client.connect()
        return NatsScene(server: server, client: client, jetStream: JetStreamContext(client: client))
    }

    /// A stream on `subjects`, on disk so that it survives a server restart.
    func stream(_ name: String, subjects: [String]) async throws {
        _ = try await jetStream.createStream(JetStreamStreamConfig(name: name, subjects: subjects))
    }

    /// How many messages `stream` holds.
    func count(_ stream: String) async throws -> UInt64 {
        try await jetStream.streamInfo(stream)?.state.messages ?? 0
    }

    /// Waits (at most `seconds`) until `stream` holds `count` messages; a server that is not
    /// back yet counts as none.
    func waitFor(_ count: UInt64, in stream: String, seconds: Double = 20) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while (try? await self.count(stream)) ?? 0 < count {
            guard ContinuousClock.now < deadline else {
                throw TimedOut(description: "\(stream) holds \((try? await self.count(stream)) ?? 0) messages, not \(count), after \(seconds) s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The consumer's progress, or nil while it does not exist (or no server answers).
    func consumer(_ stream: String, _ name: String) async -> JetStreamConsumerInfo? {
        try? await jetStream.consumerInfo(stream: stream, name: name)
    }

    /// Every message of `stream`, read by a consumer of the test's own.
    func messages(of stream: String, count: Int) async throws -> [JetStreamMessage] {
        let name = "check\(UInt32.random(in: 0...UInt32.max))"
        _ = try await jetStream.createConsumer(stream: stream, config: JetStreamConsumerConfig(durableName: name))
        let puller = try await jetStream.puller(stream: stream, consumer: name)
        var messages: [JetStreamMessage] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while messages.count < count, ContinuousClock.now < deadline {
            messages += try await puller.fetch(batch: count - messages.count, expires: .milliseconds(500))
        }
        for message in messages { try await message.ack(on: client) }
        await puller.close()
        return messages
    }

    /// The `url` the flow's connectors name.
    var servers: Value { [.string(server.url)] }

    func close() async {
        await client.close()
        await server.stop()
    }
}

/// Reconnects fast, so that tests stay short.
let fastReconnect: Value = ["initial_ms": 50, "max_ms": 200, "jitter": 0]

/// A `nats` connector of a test's flow.
func natsConnector(_ name: String, _ config: Value, reconnect: Value = fastReconnect) -> ConnectorDefinition {
    ConnectorDefinition(name: name, type: "nats", config: config, reconnect: reconnect, location: FlowFixtures.here)
}

/// `pass`: a passthrough pipeline.
let passthroughPipeline = PipelineDefinition(
    name: "pass", operators: [OperatorDefinition(name: "passthrough", location: FlowFixtures.here)], location: FlowFixtures.here)

/// A sink whose verdict on each event the test decides: `true` acks, `false` fails. It may take
/// its time (a slow sink).
struct JudgingConnector: ConnectorFactory {
    let name: String
    let verdict: @Sendable (Event) async -> Bool

    init(_ name: String, verdict: @escaping @Sendable (Event) async -> Bool) {
        self.name = name
        self.verdict = verdict
    }

    var info: ConnectorTypeInfo { ConnectorTypeInfo(name: name, hasSource: false, hasSink: true) { _ throws(ConnectorConfigError) in } }

    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(sink: JudgingSink(verdict: verdict))
    }

    struct JudgingSink: Sink {
        let verdict: @Sendable (Event) async -> Bool

        func run(_ input: SinkInput, _ context: SinkContext) async throws {
            while let batch = await input.next() {
                for event in batch {
                    if await verdict(event) {
                        context.ack([event])
                    } else {
                        context.fail([event], reason: "refused by the test")
                    }
                }
            }
        }
    }
}

/// A registry with the standard connectors and the test's own.
func natsRegistry(_ extra: [any ConnectorFactory]) -> ConnectorRegistry {
    var registry = ConnectorRegistry.standard
    for factory in extra { registry.register(factory) }
    return registry
}

/// Runs a flow with the standard operators; stops it within 30 s.
func runNatsFlow(_ flow: FlowDefinition, _ extra: [any ConnectorFactory] = []) -> WebSocketFlow {
    WebSocketFlow(flow, registry: natsRegistry(extra))
}

extension ByteBuffer {
    /// The readable bytes as text.
    var text: String { String(buffer: self) }
}
