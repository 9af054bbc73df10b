import Logging
import TemblorRuntime
import TemblorValue
import TemblorWAL

/// `wal`: a write-ahead log on disk between a source and a sink. Events into its `in` are
/// acknowledged upstream only once durable; its `out` replays whatever was not acknowledged
/// downstream, in order, also after a crash. Tremor's `wal`, Vector's disk buffer.
public struct WalConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "wal", hasSource: true, hasSink: true) { config throws(ConnectorConfigError) in
            _ = try WalConfig(config, directory: "")
        }
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let config = try WalConfig(definition.config, directory: directory)
        let log: WalLog
        do {
            log = try WalLog(directory: config.path, options: config.options)
        } catch {
            throw ConnectorConfigError(key: "path", error.description)
        }
        if !log.recovery.isClean {
            let logger = Logger(label: "temblor.connector.\(definition.name)")
            for problem in log.recovery.problems { logger.warning("\(definition.name): recovering \(config.path): \(problem)") }
        }
        let connection = WalConnection(log: log, config: config)
        let reconnect = (try? ReconnectStrategy(definition.reconnect)) ?? ReconnectStrategy()
        return ConnectorParts(
            source: WalSource(connection: connection, reconnect: reconnect), sink: WalSink(connection: connection), lifecycle: connection)
    }
}
