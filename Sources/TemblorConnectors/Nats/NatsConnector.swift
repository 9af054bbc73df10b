import Logging
import TemblorRuntime
import TemblorValue

/// `nats`: both sides on one NATS connection. The source subscribes to `subject` on core NATS
/// (at most once), or with `jetstream` pulls from a durable consumer that every worker naming it
/// shares, acking, naking or terminating each message by its events' fate. The sink publishes
/// each event as a message, with `jetstream` acking it only once the stream stored it.
public struct NatsConnector: ConnectorFactory {
    /// A factory for `nats` instances.
    public init() {}

    /// The type's name, sides, default codec (`json`, no processors) and configuration check.
    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "nats", hasSource: true, hasSink: true, defaultCodec: "json") { config throws(ConnectorConfigError) in
            // Relative files (credentials, certificates) are read when the flow starts, relative
            // to the flow file; absolute ones are read now.
            let settings = try NatsConfig(config, name: "nats", directory: "")
            if let tls = settings.tls, tls.hasOnlyAbsolutePaths { _ = try tls.clientConfiguration() }
        }
    }

    /// Builds an instance: its sides share one client, which the lifecycle connects and closes.
    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let config = try NatsConfig(definition.config, name: definition.name, directory: directory)
        let connection = NatsConnection(
            config: config, name: definition.name, reconnect: try ReconnectStrategy(definition.reconnect), tls: try config.tls?.clientContext(),
            logger: Logger(label: "temblor.connector.\(definition.name)"))
        let source: any Source =
            if let jetStream = config.jetStream {
                NatsJetStreamSource(connection: connection, jetStream: jetStream)
            } else {
                NatsCoreSource(connection: connection)
            }
        return ConnectorParts(source: source, sink: NatsSink(connection: connection), lifecycle: connection)
    }
}
