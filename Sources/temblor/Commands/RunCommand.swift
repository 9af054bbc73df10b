import ArgumentParser
import Logging
import Foundation
import ServiceLifecycle
import TemblorConnectors
import TemblorDaemon
import TemblorRuntime
import UnixSignals

/// `temblor run FLOW.yaml`: checks a flow, runs it, and exits 0 only when everything its
/// sources produced was delivered. SIGINT and SIGTERM stop the sources and drain the rest;
/// SIGHUP, `temblor reload` and edits of the plugin files reload its Lua plugins.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a flow until its sources end (or SIGINT/SIGTERM), then drain.",
        discussion: """
            Exit status: 0 when every event produced was delivered, 1 when any failed or was \
            left undelivered, 2 when the flow file has errors (they are printed as \
            file:line:column: message). SIGHUP or `temblor reload` reloads every Lua plugin; with \
            --watch (the default) a plugin also reloads when a `.lua` file of its directory changes.
            """
    )

    @Argument(help: "The flow file (YAML).")
    var flow: String

    @Flag(name: .long, help: "Print event counts and every metrics counter at the end of the run.")
    var stats = false

    @Flag(inversion: .prefixedNo, help: "Reload a Lua plugin when a .lua file of its directory changes.")
    var watch = true

    @Option(
        name: .long,
        help: ArgumentHelp(
            """
            The control socket for `temblor reload` (default: $TEMBLOR_CONTROL, else \
            ${XDG_RUNTIME_DIR:-/tmp}/temblor-<uid>.sock; `none` disables it).
            """, valueName: "path"))
    var control: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Serve the daemon's HTTP API for this flow on HOST:PORT (as `temblor serve --api`).", valueName: "address"))
    var api: String?

    @Option(name: .long, help: ArgumentHelp("With --api: a file holding the API's bearer token.", valueName: "file"))
    var apiTokenFile: String?

    func run() async throws {
        let definition: FlowDefinition
        do {
            definition = try FlowLoader.load(flow)
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        }
        let directory = FlowLoader.directory(of: flow)
        let runner: FlowRunner
        let service: FlowService
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // The flow's counters: in the process-wide metrics system (bootstrapped once, here), or,
        // with the API, in the registry's, where /metrics finds them.
        var statsLines: @Sendable () async -> [String] = { [] }
        var apiAddress: ApiAddress?
        if let api {
            let address = try RunCommand.address(api, tokenFile: apiTokenFile)
            apiAddress = address.address
            let registry = FlowRegistry()
            let id = FlowRunApi.id(of: flow)
            do {
                let yaml = try String(contentsOfFile: flow, encoding: .utf8)
                _ = try await registry.deploy(id: id, yaml: yaml, directory: directory)
            } catch {
                StandardError.write("\(error)\n")
                throw ExitCode(2)
            }
            runner = await registry.runner(of: id)!
            service = FlowService(run: { try await registry.outcome(of: id)!.get() }, stop: { runner.stop() })
            statsLines = { await registry.counterLines(of: id) }
            let roots = [FlowFiles.absolute(directory, in: FileManager.default.currentDirectoryPath)]
            let application = DaemonServer.application(
                DaemonApi(registry: registry, directory: directory, roots: roots, token: address.token),
                address: address.address, logger: Logger(label: "temblor.api")
            ) { bound in
                StandardError.write("temblor run: API listening on http://\(bound)\n")
            }
            // An API that cannot serve ends the run, after the flow drained.
            services.append(.init(service: application, failureTerminationBehavior: .gracefullyShutdownGroup))
        } else {
            let registry: StatsRegistry? = stats ? StatsRegistry() : nil
            registry?.bootstrapMetricsSystem()
            runner = FlowRunner(
                flow: definition, directory: directory, connectors: .standard, operators: FlowLoader.operators(directory: directory))
            service = FlowService(runner: runner)
            if let registry { statsLines = { registry.lines } }
        }
        // SIGHUP is trapped before anything can answer `temblor reload`: it reloads, never ends the run.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let server = try await controlServer()
        let reloads = ReloadService(
            reloader: runner.reloader, watch: watch, server: server, hangups: hangups,
            logger: Logger(label: "temblor.reload"))
        // A finite flow ends by itself: that ends the group normally. Services shut down in
        // reverse order: the flow drains first, reloads stay possible until it has.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services + [
                    .init(service: reloads, successTerminationBehavior: .ignore),
                    .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "temblor")))
        do {
            try await group.run()
        } catch {
            await server?.close()
            guard let apiAddress else { throw error }
            StandardError.write("temblor run: \(DaemonServer.explain(error, address: apiAddress))\n")
            throw ExitCode.failure
        }
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
        if stats {
            StandardError.write(await statsLines().map { $0 + "\n" }.joined())
        }
        if !report.succeeded { throw ExitCode.failure }
    }

    /// The control socket, unless disabled. One asked for by name that cannot be opened stops
    /// the run before it starts; the default one only warns (another run may hold it).
    private func controlServer() async throws -> ControlServer? {
        guard let path = ControlPath.resolve(control) else { return nil }
        do {
            return try await ControlServer.bind(path: path)
        } catch {
            guard ControlPath.isExplicit(control) else {
                StandardError.write("temblor run: \(error); running without one (choose another with --control PATH)\n")
                return nil
            }
            StandardError.write("temblor run: \(error)\n")
            throw ExitCode(2)
        }
    }
}
