import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TemblorDaemon
import UnixSignals

/// `temblor serve`: the daemon. Runs many flows in one process, deployed from a directory at
/// start and over its HTTP API while it runs, with Prometheus metrics, health endpoints and a
/// status page.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run flows as a daemon, with an HTTP API, Prometheus metrics and a status page.",
        discussion: """
            Every *.yaml of --flows is deployed at start (its id is the file name without the \
            extension); flows deployed over the API are kept in --state and come back after a \
            restart. SIGTERM and SIGINT drain every flow and exit 0; SIGHUP reloads every Lua \
            plugin. Exit status 2 when a flow of --flows or --state has errors, or the options \
            cannot work.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Where the API listens (HOST:PORT, [IPV6]:PORT).", valueName: "address"))
    var api = ApiAddress.default.description

    @Option(name: .long, help: ArgumentHelp("A directory of flow files to deploy at start.", valueName: "dir"))
    var flows: String?

    @Option(name: .long, help: ArgumentHelp("Where flows deployed over the API are kept across restarts.", valueName: "dir"))
    var state: String?

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp(
            "The directories a flow deployed over the API may name files under (default: --flows and --state).",
            valueName: "dir"))
    var roots: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A file holding the API's bearer token: every request but /healthz and /readyz must carry it.",
            valueName: "file"))
    var apiTokenFile: String?

    @Option(name: .long, help: "How logs are written: text or json (one object per line).")
    var logFormat: LogFormat = .text

    func run() async throws {
        logFormat.bootstrap()
        let logger = Logger(label: "temblor.daemon")
        let address: ApiAddress
        do {
            address = try ApiAddress(parsing: api)
        } catch {
            throw Self.usage("--api: \(error)")
        }
        let token = try apiTokenFile.map(Self.token(from:))
        if !address.isLoopback && token == nil {
            throw Self.usage(
                "refusing to listen on \(address) without a token: anyone who reaches it could deploy flows; "
                    + "give --api-token-file FILE, or listen on 127.0.0.1")
        }
        let cwd = FileManager.default.currentDirectoryPath
        let flowsDirectory = flows.map { FlowFiles.absolute($0, in: cwd) }
        let stateDirectory = state.map { FlowFiles.absolute($0, in: cwd) }
        if let flowsDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: flowsDirectory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw Self.usage("--flows: \(flowsDirectory) is not a directory; give the directory that holds the flow files")
            }
        }
        let registry = FlowRegistry(stateDirectory: stateDirectory)
        do {
            if let flowsDirectory {
                let ids = try await FlowDirectory.deploy(flowsDirectory, to: registry, persist: false)
                logger.info("deployed \(ids.count) flow(s) from \(flowsDirectory)")
            }
            if let stateDirectory {
                let ids = try await FlowDirectory.deploy(stateDirectory, to: registry, persist: true)
                logger.info("deployed \(ids.count) flow(s) kept in \(stateDirectory)")
            }
        } catch {
            await registry.stopAll()
            StandardError.write("temblor serve: \(error)\n")
            throw ExitCode(2)
        }
        let allowed = roots.isEmpty ? [flowsDirectory, stateDirectory].compactMap { $0 } : roots.map { FlowFiles.absolute($0, in: cwd) }
        let api = DaemonApi(registry: registry, directory: stateDirectory ?? flowsDirectory ?? cwd, roots: allowed, token: token)
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let application = DaemonServer.application(api, address: address, logger: Logger(label: "temblor.api")) { bound in
            logger.info("API listening on http://\(bound)")
            StandardError.write("temblor serve: listening on http://\(bound)\n")
        }
        // Services shut down in reverse order: the flows drain first, the API answers until they have.
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: application),
                    .init(service: RegistryService(registry: registry, hangups: hangups, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await registry.stopAll()
            StandardError.write("temblor serve: \(DaemonServer.explain(error, address: address))\n")
            throw ExitCode.failure
        }
    }

    /// The token in `path`, without surrounding whitespace; an empty or unreadable file is refused.
    static func token(from path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw usage("--api-token-file: cannot read \(path)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw usage("--api-token-file: \(path) is empty; put the token in it") }
        return token
    }

    static func usage(_ message: String) -> ExitCode {
        StandardError.write("temblor serve: \(message)\n")
        return ExitCode(2)
    }
}
