import TemblorRuntime
import TemblorValue

/// `null`: a sink that accepts and acks everything, and a source that produces nothing.
public struct NullConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "null", hasSource: true, hasSink: true) { config throws(ConnectorConfigError) in
            _ = try ConfigReader(config, allowed: [])
        }
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        _ = try ConfigReader(definition.config, allowed: [])
        return ConnectorParts(source: NullSource(), sink: NullSink())
    }
}

struct NullSource: Source {
    func run(_ context: SourceContext) async throws {}
}

struct NullSink: Sink {
    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        while let batch = await input.next() {
            context.ack(batch)
        }
    }
}
