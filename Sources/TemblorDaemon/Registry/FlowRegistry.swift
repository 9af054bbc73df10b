import CoreMetrics
import Foundation
import TemblorConnectors
import TemblorRuntime

/// The flows one daemon runs, by id: deployed from YAML, listed with their counts, stopped with
/// their final report. Each runs on its own `FlowRunner` with its own metrics; a flow that fails
/// or ends leaves the others untouched.
public actor FlowRegistry {
    private struct Deployed {
        var definition: FlowDefinition
        var runner: FlowRunner
        var metrics: FlowMetricsFactory
        var task: Task<Void, Never>
        var startedAt: Double
        var status: FlowStatus = .running
        var report: FlowReport?
        var error: String?
        /// Whether it was deployed over the API and so lives in the state directory.
        var persisted: Bool
        /// Each plugin's faults and restarts as `/metrics` last counted them.
        var reported: [String: (faults: Int, restarts: Int)] = [:]
    }

    private let connectors: ConnectorRegistry
    private let operators: @Sendable (_ directory: String) -> OperatorRegistry
    /// The Prometheus registry every flow's series go to.
    public let metrics: DaemonMetrics
    /// Where flows deployed over the API are kept, to come back after a restart.
    public let stateDirectory: String?
    private var flows: [String: Deployed] = [:]

    /// `operators` gives the operators of a flow whose files are in a directory (Lua scripts
    /// resolve against it).
    public init(
        connectors: ConnectorRegistry = .standard,
        operators: @escaping @Sendable (_ directory: String) -> OperatorRegistry = { OperatorRegistry.standard.withLua(directory: $0) },
        metrics: DaemonMetrics = DaemonMetrics(),
        stateDirectory: String? = nil
    ) {
        self.connectors = connectors
        self.operators = operators
        self.metrics = metrics
        self.stateDirectory = stateDirectory
    }

    /// Checks `yaml` as `temblor check` does, then runs it as flow `id`; relative paths in it
    /// resolve against `directory`. With `roots`, every file the flow names must lie under one
    /// of them. With `persist`, the flow is written to the state directory (when there is one)
    /// and deployed again by the next daemon.
    public func deploy(
        id: String, yaml: String, directory: String, roots: [String]? = nil, persist: Bool = false
    ) throws(FlowRegistryError) -> FlowSummary {
        guard Self.isValid(id) else { throw .badId(id) }
        guard flows[id] == nil else { throw .idTaken(id) }
        let definition: FlowDefinition
        do {
            definition = try FlowParser.parse(yaml: yaml, file: directory + "/" + id + ".yaml")
        } catch {
            throw .invalid(error)
        }
        if let roots, let outside = FlowFiles.outside(roots, of: definition, directory: directory) {
            throw .outsideRoots(what: outside.what, path: outside.path, roots: roots)
        }
        let catalog = FlowCatalog(connectorTypes: connectors.infos, codecs: .standard, operators: operators(directory))
        let errors = FlowValidator(catalog: catalog).validate(definition)
        guard errors.isEmpty else { throw .invalid(FlowErrors(errors)) }
        let persisted = persist && stateDirectory != nil
        if persisted { try write(yaml, of: id) }
        let factory = metrics.factory(flow: id)
        let runner = FlowRunner(
            flow: definition, directory: directory, connectors: connectors, operators: operators(directory), metrics: factory)
        let task = Task { [weak self] in
            let outcome: Result<FlowReport, any Error>
            do {
                outcome = .success(try await runner.run())
            } catch {
                outcome = .failure(error)
            }
            await self?.ended(id, outcome)
        }
        flows[id] = Deployed(
            definition: definition, runner: runner, metrics: factory, task: task, startedAt: Date().timeIntervalSince1970,
            persisted: persisted)
        return summary(of: id, flows[id]!)
    }

    /// Every deployed flow, by id.
    public func list() -> [FlowSummary] {
        flows.keys.sorted().map { summary(of: $0, flows[$0]!) }
    }

    public func summary(_ id: String) throws(FlowRegistryError) -> FlowSummary {
        guard let flow = flows[id] else { throw .unknown(id) }
        return summary(of: id, flow)
    }

    /// Flow `id` node by node: port counts, source outcomes, queues and plugins.
    public func detail(_ id: String) async throws(FlowRegistryError) -> FlowDetail {
        guard let flow = flows[id] else { throw .unknown(id) }
        let samples = flow.metrics.stats.samples
        func dimension(_ sample: StatsRegistry.Sample, _ name: String) -> String {
            sample.dimensions.first { $0.name == name }?.value ?? ""
        }
        let ports = samples.filter { $0.label == "temblor_events_total" }.map { sample in
            FlowDetail.PortCount(
                node: dimension(sample, "node"), port: dimension(sample, "port"), direction: dimension(sample, "direction"),
                events: Int(sample.value))
        }
        var sources: [String: FlowDetail.SourceCount] = [:]
        for sample in samples where sample.label == "temblor_acks_total" || sample.label == "temblor_fails_total" {
            let source = dimension(sample, "source")
            var count = sources[source] ?? FlowDetail.SourceCount(source: source, acked: 0, failed: 0)
            if sample.label == "temblor_acks_total" { count.acked = Int(sample.value) } else { count.failed = Int(sample.value) }
            sources[source] = count
        }
        let plugins = await flow.runner.reloader.statuses()
        return FlowDetail(
            summary: summary(of: id, flow), ports: ports, sources: sources.keys.sorted().map { sources[$0]! },
            queues: flow.runner.queueDepths, plugins: plugins)
    }

    /// The runner of flow `id`, for a process that runs one flow and reloads its plugins itself.
    public func runner(of id: String) -> FlowRunner? {
        flows[id]?.runner
    }

    /// Waits until flow `id` ends by itself (or is stopped) and returns how: its report, or why
    /// it could not run; `nil` for an unknown id. The flow stays listed.
    public func outcome(of id: String) async -> Result<FlowReport, any Error>? {
        guard let task = flows[id]?.task else { return nil }
        await task.value
        guard let flow = flows[id] else { return nil }
        if let report = flow.report { return .success(report) }
        return .failure(FlowRegistryError.failed(id, flow.error ?? "it failed"))
    }

    /// Flow `id`'s counters and gauges as `temblor run --stats` prints them, without the `flow` label.
    public func counterLines(of id: String) -> [String] {
        flows[id]?.metrics.stats.lines ?? []
    }

    /// Pauses (`true`) or resumes flow `id`'s sources: paused, each holds its next batch and
    /// what was in flight drains; nothing is lost.
    public func setPaused(_ id: String, _ paused: Bool) throws(FlowRegistryError) -> FlowSummary {
        guard var flow = flows[id] else { throw .unknown(id) }
        guard flow.status == .running || flow.status == .paused else { throw .notRunning(id, flow.status) }
        if paused { flow.runner.pause() } else { flow.runner.resume() }
        flow.status = paused ? .paused : .running
        flows[id] = flow
        return summary(of: id, flow)
    }

    /// Reloads every Lua plugin of flow `id` (as `temblor reload` does) and returns what each did.
    public func reload(_ id: String) async throws(FlowRegistryError) -> [PluginReloadOutcome] {
        guard let flow = flows[id] else { throw .unknown(id) }
        return await flow.runner.reloader.reload(changed: nil)
    }

    /// Reloads the plugins of every flow, flow by flow in id order.
    public func reloadAll() async -> [(flow: String, outcomes: [PluginReloadOutcome])] {
        var all: [(flow: String, outcomes: [PluginReloadOutcome])] = []
        for id in flows.keys.sorted() {
            guard let flow = flows[id] else { continue }
            all.append((id, await flow.runner.reloader.reload(changed: nil)))
        }
        return all
    }

    /// Stops flow `id`'s sources, waits until what they produced drained, forgets the flow (and
    /// its file in the state directory) and returns its final counts.
    public func stop(_ id: String) async throws(FlowRegistryError) -> FlowReport {
        try await stop(id, forget: true)
    }

    /// Stops every flow (the daemon is shutting down); each drains first. The state directory
    /// keeps them: the next daemon deploys them again.
    public func stopAll() async {
        for id in flows.keys.sorted() { _ = try? await stop(id, forget: false) }
    }

    private func stop(_ id: String, forget: Bool) async throws(FlowRegistryError) -> FlowReport {
        guard var flow = flows[id] else { throw .unknown(id) }
        if flow.status == .running || flow.status == .paused {
            flow.status = .draining
            flows[id] = flow
        }
        flow.runner.resume()
        flow.runner.stop()
        await flow.task.value
        let total = flow.runner.router.total
        let report = flows[id]?.report ?? FlowReport(produced: total.produced, acked: total.acked, failed: total.failed)
        flows[id] = nil
        flow.metrics.unregister()
        if forget, flow.persisted, let stateDirectory {
            try? FileManager.default.removeItem(atPath: stateDirectory + "/" + id + ".yaml")
        }
        return report
    }

    /// Brings the gauges `/metrics` shows up to date: queue depths, the flows by status, and each
    /// Lua plugin's memory, faults and restarts.
    public func sampleMetrics() async {
        var byStatus: [FlowStatus: Int] = [:]
        for id in flows.keys.sorted() {
            guard let flow = flows[id] else { continue }
            byStatus[flow.status, default: 0] += 1
            for (node, depth) in flow.runner.queueDepths {
                Gauge(label: "temblor_queue_depth", dimensions: [("node", node)], factory: flow.metrics).record(depth)
            }
            var reported = flow.reported
            for plugin in await flow.runner.reloader.statuses() {
                let dimensions = [("node", plugin.node)]
                Gauge(label: "temblor_lua_memory_bytes", dimensions: dimensions, factory: flow.metrics).record(plugin.memoryBytes)
                let last = reported[plugin.node] ?? (0, 0)
                let faults = Counter(label: "temblor_lua_faults_total", dimensions: dimensions, factory: flow.metrics)
                let restarts = Counter(label: "temblor_lua_restarts_total", dimensions: dimensions, factory: flow.metrics)
                faults.increment(by: max(0, plugin.faults - last.faults))
                restarts.increment(by: max(0, plugin.restarts - last.restarts))
                reported[plugin.node] = (plugin.faults, plugin.restarts)
            }
            flows[id]?.reported = reported
        }
        for status in [FlowStatus.running, .paused, .draining, .stopped, .failed] {
            metrics.gauge("temblor_flows", [("status", status.rawValue)]).record(byStatus[status] ?? 0)
        }
    }

    private func write(_ yaml: String, of id: String) throws(FlowRegistryError) {
        guard let stateDirectory else { return }
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: stateDirectory + "/" + id + ".yaml"), options: .atomic)
        } catch {
            throw .notPersisted("\(stateDirectory)/\(id).yaml: \(error.localizedDescription)")
        }
    }

    private func ended(_ id: String, _ outcome: Result<FlowReport, any Error>) {
        guard var flow = flows[id] else { return }
        switch outcome {
        case .success(let report):
            // A flow whose connectors stopped on errors ended without doing its work.
            let errors = flow.runner.connectorErrors
            flow.status = errors.isEmpty ? .stopped : .failed
            flow.error = errors.isEmpty ? nil : errors.joined(separator: "; ")
            flow.report = report
        case .failure(let error):
            flow.status = .failed
            flow.error = "\(error)"
        }
        flows[id] = flow
    }

    private func summary(of id: String, _ flow: Deployed) -> FlowSummary {
        FlowSummary(
            id: id, status: flow.status, startedAt: flow.startedAt,
            nodes: flow.definition.connectors.map(\.name) + flow.definition.pipelines.map(\.name),
            counts: flow.runner.router.total, error: flow.error ?? flow.runner.connectorErrors.first)
    }

    /// 1 to 64 letters, digits, `-` or `_`: safe in a URL path and as a file name.
    public static func isValid(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
