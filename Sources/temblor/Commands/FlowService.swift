import ServiceLifecycle
import Synchronization
import TemblorRuntime

/// Runs a flow as a service of a `ServiceGroup`: a graceful shutdown (SIGINT, SIGTERM) stops the
/// flow's sources, and the service returns once everything they produced has drained.
final class FlowService: Service, Sendable {
    private let runner: FlowRunner
    private let outcome = Mutex<Result<FlowReport, any Error>?>(nil)

    init(runner: FlowRunner) {
        self.runner = runner
    }

    func run() async throws {
        let result: Result<FlowReport, any Error>
        do {
            let report = try await withGracefulShutdownHandler {
                try await runner.run()
            } onGracefulShutdown: {
                self.runner.stop()
            }
            result = .success(report)
        } catch {
            result = .failure(error)
        }
        outcome.withLock { $0 = result }
    }

    /// How the run ended, once `run` returned.
    var report: Result<FlowReport, any Error>? { outcome.withLock { $0 } }
}
