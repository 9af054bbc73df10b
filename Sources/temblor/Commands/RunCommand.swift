import ArgumentParser
import Logging
import ServiceLifecycle
import TemblorConnectors
import TemblorRuntime

/// `temblor run FLOW.yaml`: checks a flow, runs it, and exits 0 only when everything its
/// sources produced was delivered. SIGINT and SIGTERM stop the sources and drain the rest.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a flow until its sources end (or SIGINT/SIGTERM), then drain.",
        discussion: """
            Exit status: 0 when every event produced was delivered, 1 when any failed or was \
            left undelivered, 2 when the flow file has errors (they are printed as \
            file:line:column: message).
            """
    )

    @Argument(help: "The flow file (YAML).")
    var flow: String

    @Flag(name: .long, help: "Print event counts and every metrics counter at the end of the run.")
    var stats = false

    func run() async throws {
        let definition: FlowDefinition
        do {
            definition = try FlowLoader.load(flow)
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        }
        // The flow's counters go to the process-wide metrics system; bootstrapped once, here.
        let registry: StatsRegistry? = stats ? StatsRegistry() : nil
        registry?.bootstrapMetricsSystem()
        let runner = FlowRunner(
            flow: definition, directory: FlowLoader.directory(of: flow), connectors: .standard,
            operators: FlowLoader.operators(directory: FlowLoader.directory(of: flow)))
        let service = FlowService(runner: runner)
        // A finite flow ends by itself: that ends the group normally.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "temblor")))
        try await group.run()
        let report: FlowReport
        switch service.report {
        case .success(let finished)?:
            report = finished
        case .failure(let error)?:
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        case nil:
            StandardError.write("temblor run: the flow did not run\n")
            throw ExitCode(2)
        }
        if stats || !report.succeeded {
            StandardError.write("temblor run: \(report)\n")
        }
        if let registry {
            StandardError.write(registry.lines.map { $0 + "\n" }.joined())
        }
        if !report.succeeded { throw ExitCode.failure }
    }
}
