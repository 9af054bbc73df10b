import Logging
import ServiceLifecycle
import TemblorDaemon
import TemblorRuntime
import UnixSignals

/// The daemon's flows as a service of its `ServiceGroup`: SIGHUP reloads every plugin of every
/// flow; a graceful shutdown (SIGTERM, SIGINT) drains every flow before the service returns.
struct RegistryService: Service {
    let registry: FlowRegistry
    /// Trapped before the flows start, so an early SIGHUP cannot end the process.
    let hangups: UnixSignalsSequence
    let logger: Logger

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in hangups {
                    logger.info("SIGHUP: reloading every plugin")
                    let report = PluginReloadReport(await registry.reloadAll().flatMap(\.outcomes))
                    logger.info("\(report.summaryLine)")
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        logger.info("draining every flow")
        await registry.stopAll()
        logger.info("every flow drained")
    }
}
