import ServiceLifecycle
import Synchronization
import TemblorRuntime

/// Runs a flow as a service of a `ServiceGroup`: a graceful shutdown (SIGINT, SIGTERM) stops the
/// flow's sources, and the service returns once everything they produced has drained.
final class FlowService: Service, Sendable {
    private let body: @Sendable () async throws -> FlowReport
    private let stop: @Sendable () -> Void
    private let outcome = Mutex<Result<FlowReport, any Error>?>(nil)

    /// `body` runs the flow until it ended and drained; `stop` asks its sources to stop.
    init(run body: @escaping @Sendable () async throws -> FlowReport, stop: @escaping @Sendable () -> Void) {
        self.body = body
        self.stop = stop
    }

    convenience init(runner: FlowRunner) {
        self.init(run: { try await runner.run() }, stop: { runner.stop() })
    }

    func run() async throws {
        let result: Result<FlowReport, any Error>
        do {
            // Cancelled (another service of the group failed) it stops and drains as on a
            // graceful shutdown: the run does not end on cancellation by itself.
            let report = try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await body()
                } onGracefulShutdown: {
                    self.stop()
                }
            } onCancel: {
                self.stop()
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
