import Foundation
import TemblorConnectors
import TemblorRuntime

/// The flows one daemon runs, by id: deployed from YAML, listed with their counts, stopped with
/// their final report. Each runs on its own `FlowRunner`; a flow that fails or ends leaves the
/// others untouched.
public actor FlowRegistry {
    private struct Deployed {
        var definition: FlowDefinition
        var runner: FlowRunner
        var task: Task<Void, Never>
        var startedAt: Double
        var status: FlowStatus = .running
        var report: FlowReport?
        var error: String?
    }

    private let connectors: ConnectorRegistry
    private let operators: @Sendable (_ directory: String) -> OperatorRegistry
    private var flows: [String: Deployed] = [:]

    /// `operators` gives the operators of a flow whose files are in a directory (Lua scripts
    /// resolve against it).
    public init(
        connectors: ConnectorRegistry = .standard,
        operators: @escaping @Sendable (_ directory: String) -> OperatorRegistry = { OperatorRegistry.standard.withLua(directory: $0) }
    ) {
        self.connectors = connectors
        self.operators = operators
    }

    /// Checks `yaml` as `temblor check` does, then runs it as flow `id`; relative paths in it
    /// resolve against `directory`.
    public func deploy(id: String, yaml: String, directory: String) throws(FlowRegistryError) -> FlowSummary {
        guard Self.isValid(id) else { throw .badId(id) }
        guard flows[id] == nil else { throw .idTaken(id) }
        let definition: FlowDefinition
        do {
            definition = try FlowParser.parse(yaml: yaml, file: directory + "/" + id + ".yaml")
        } catch {
            throw .invalid(error)
        }
        let catalog = FlowCatalog(connectorTypes: connectors.infos, codecs: .standard, operators: operators(directory))
        let errors = FlowValidator(catalog: catalog).validate(definition)
        guard errors.isEmpty else { throw .invalid(FlowErrors(errors)) }
        let runner = FlowRunner(flow: definition, directory: directory, connectors: connectors, operators: operators(directory))
        let task = Task { [weak self] in
            let outcome: Result<FlowReport, any Error>
            do {
                outcome = .success(try await runner.run())
            } catch {
                outcome = .failure(error)
            }
            await self?.ended(id, outcome)
        }
        flows[id] = Deployed(definition: definition, runner: runner, task: task, startedAt: Date().timeIntervalSince1970)
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

    /// Stops flow `id`'s sources, waits until what they produced drained, forgets the flow and
    /// returns its final counts.
    public func stop(_ id: String) async throws(FlowRegistryError) -> FlowReport {
        guard var flow = flows[id] else { throw .unknown(id) }
        if flow.status == .running || flow.status == .paused {
            flow.status = .draining
            flows[id] = flow
        }
        flow.runner.stop()
        await flow.task.value
        let total = flow.runner.router.total
        let report = flows[id]?.report ?? FlowReport(produced: total.produced, acked: total.acked, failed: total.failed)
        flows[id] = nil
        return report
    }

    /// Stops every flow (the daemon is shutting down); each drains first.
    public func stopAll() async {
        for id in flows.keys.sorted() { _ = try? await stop(id) }
    }

    private func ended(_ id: String, _ outcome: Result<FlowReport, any Error>) {
        guard var flow = flows[id] else { return }
        switch outcome {
        case .success(let report):
            flow.status = .stopped
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
            counts: flow.runner.router.total, error: flow.error)
    }

    /// 1 to 64 letters, digits, `-` or `_`: safe in a URL path and as a file name.
    static func isValid(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
