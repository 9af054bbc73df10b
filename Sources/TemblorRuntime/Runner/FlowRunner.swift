import CoreMetrics
import Logging
import Synchronization
import TemblorCodecs
import TemblorLua
import TemblorValue

/// Runs a validated flow: wires bounded queues along its links, starts every sink, pipeline and
/// source, and returns when the sources ended and everything they produced drained.
public final class FlowRunner: Sendable {
    /// Failures while building a flow's nodes.
    public enum BuildError: Error, CustomStringConvertible {
        case connector(name: String, location: SourceLocation, message: String)

        public var description: String {
            switch self {
            case .connector(let name, let location, let message): "\(location): connector '\(name)': \(message)"
            }
        }
    }

    private let flow: FlowDefinition
    private let connectors: ConnectorRegistry
    private let operators: OperatorRegistry
    private let codecs: CodecRegistry
    private let directory: String
    private let queueCapacity: Int
    private let batchSize: Int
    private let logger: Logger
    private let metrics: FlowMetrics
    private let sources = Mutex<Task<Void, Never>?>(nil)
    /// Connectors still trying to connect when a stop comes give up.
    private let connectTasksToStop = Mutex<[Task<Bool, Never>]>([])
    private let stopRequested = Atomic<Bool>(false)
    /// Open while the flow is paused: every source holds its next batch, as behind a sink's breaker.
    private let pauseGate = CircuitBreaker(sink: "flow", holding: "the flow is paused")
    /// The ack and fail counts of this run.
    public let router: ContraflowRouter
    /// The flow's Lua plugins, which a file watcher, SIGHUP or `temblor reload` may reload
    /// while it runs; filled as `run` builds the nodes.
    public let reloader: PluginReloader
    /// Each node's input queue, once `run` built them: their depths are a gauge of the daemon.
    private let queues = Mutex<[String: BoundedQueue<NodeMessage>]>([:])
    /// Why connectors stopped before their time, in the order they did.
    private let stoppedConnectors = Mutex<[String]>([])

    /// `metrics` receives the flow's counters (see docs/flows.md); `nil` uses the process's
    /// bootstrapped `MetricsSystem.factory`.
    public init(
        flow: FlowDefinition, directory: String, connectors: ConnectorRegistry, operators: OperatorRegistry,
        codecs: CodecRegistry = .standard, queueCapacity: Int = 64, batchSize: Int = 256, logger: Logger = Logger(label: "temblor.flow"),
        metrics factory: (any MetricsFactory)? = nil
    ) {
        self.flow = flow.expandingBuffers()
        self.directory = directory
        self.connectors = connectors
        self.operators = operators
        self.codecs = codecs
        self.queueCapacity = queueCapacity
        self.batchSize = batchSize
        self.logger = logger
        let metrics = FlowMetrics(factory: factory ?? MetricsScope.current)
        self.metrics = metrics
        reloader = PluginReloader(metrics: metrics.factory)
        // Acks and fails are counted for the connectors that run as sources (their `out` is linked).
        let sourceNames = Set(self.flow.links.filter { $0.from.port == .out }.map(\.from.node))
        router = ContraflowRouter(
            sourceCount: self.flow.connectors.count,
            metrics: self.flow.connectors.map { sourceNames.contains($0.name) ? metrics.outcomes(source: $0.name) : nil })
    }

    /// The events waiting in each node's input queue now, by node; empty before `run` and after it.
    public var queueDepths: [String: Int] {
        queues.withLock { $0.mapValues(\.count) }
    }

    /// Each connector that stopped on an error, with that error: a flow whose source could not
    /// open its file ends, and the daemon reports it as failed with this reason.
    public var connectorErrors: [String] {
        stoppedConnectors.withLock { $0 }
    }

    /// Holds every source at its next batch; what is in flight drains, nothing is lost.
    public func pause() {
        pauseGate.open()
    }

    /// Lets paused sources go on.
    public func resume() {
        pauseGate.close()
    }

    /// Whether `pause` holds the sources.
    public var isPaused: Bool { pauseGate.isOpen }

    /// Stops the sources; what they already produced still drains through the flow.
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        sources.withLock { $0?.cancel() }
        for task in connectTasksToStop.withLock({ $0 }) { task.cancel() }
    }

    /// Runs until the sources end (or `stop`) and the flow drained.
    public func run() async throws -> FlowReport {
        // Whatever the nodes count (Lua errors, `ctx:metric`, reloads) goes to this flow's backend.
        try await MetricsScope.$factory.withValue(metrics.factory) {
            try await runNodes()
        }
    }

    private func runNodes() async throws -> FlowReport {
        // One input queue per node that anything links into.
        var inputs: [String: BoundedQueue<NodeMessage>] = [:]
        for link in flow.links where inputs[link.to.node] == nil {
            inputs[link.to.node] = BoundedQueue(capacity: queueCapacity)
        }
        var outlets: [String: [Port: [BoundedQueue<NodeMessage>]]] = [:]
        for link in flow.links {
            let target = inputs[link.to.node]!
            target.addProducer()
            outlets[link.from.node, default: [:]][link.from.port, default: []].append(target)
        }
        for queue in inputs.values { queue.seal() }
        queues.withLock { $0 = inputs }
        defer { queues.withLock { $0 = [:] } }
        func outlet(_ node: String, _ port: Port) -> Outlet {
            Outlet(targets: outlets[node]?[port] ?? [])
        }

        // One breaker per sink; each source learns the breakers of every sink it reaches,
        // through pipelines, so that a sink that cannot accept events pauses them.
        let connectorNames = Set(flow.connectors.map(\.name))
        var breakers: [String: CircuitBreaker] = [:]
        for link in flow.links where connectorNames.contains(link.to.node) && breakers[link.to.node] == nil {
            breakers[link.to.node] = CircuitBreaker(sink: link.to.node)
        }
        func sinksReached(from source: String) -> [CircuitBreaker] {
            var seen: Set<String> = [source]
            var frontier = flow.links.filter { $0.from.node == source && $0.from.port == .out }.map(\.to.node)
            var reached: [CircuitBreaker] = []
            while let node = frontier.popLast() {
                guard seen.insert(node).inserted else { continue }
                if let breaker = breakers[node] {
                    reached.append(breaker)
                } else {
                    frontier += flow.links.filter { $0.from.node == node }.map(\.to.node)
                }
            }
            return reached
        }

        var sinkJobs: [@Sendable () async -> Void] = []
        var lifecycles: [any ConnectorLifecycle] = []
        var connectTasks: [Task<Bool, Never>] = []
        var sourceJobs: [@Sendable () async -> Void] = []
        let rawJSON = Self.rawJSONRoutes(flow) { definition in
            connectors.factory(for: definition.type).map { StreamCodecSpec(definition, defaults: $0.info, registry: codecs).codec.name } ?? ""
        }
        for (index, definition) in flow.connectors.enumerated() {
            guard let factory = connectors.factory(for: definition.type) else {
                throw BuildError.connector(name: definition.name, location: definition.location, message: "unknown connector type '\(definition.type)'")
            }
            let parts: ConnectorParts
            do {
                parts = try factory.make(definition, directory: directory)
            } catch {
                throw BuildError.connector(name: definition.name, location: definition.location, message: error.description)
            }
            if let reloadable = parts.reloadable { await reloader.add(reloadable) }
            let spec = StreamCodecSpec(definition, defaults: factory.info, registry: codecs)
            // Both sides wait for the connector to connect; without lifecycle hooks there is
            // nothing to wait for.
            let connected: Task<Bool, Never>?
            let sourceRuns = parts.source != nil && !(outlets[definition.name]?[.out] ?? []).isEmpty
            let sinkRuns = parts.sink != nil && inputs[definition.name] != nil
            if let lifecycle = parts.lifecycle {
                let strategy = (try? ReconnectStrategy(definition.reconnect)) ?? ReconnectStrategy()
                let logger = self.logger
                connected = Task {
                    await lifecycle.sidesInUse(source: sourceRuns, sink: sinkRuns)
                    guard await lifecycle.connect(retrying: strategy, name: definition.name, logger: logger) else { return false }
                    await lifecycle.onStart()
                    return true
                }
                lifecycles.append(lifecycle)
                connectTasks.append(connected!)
            } else {
                connected = nil
            }
            if let sink = parts.sink, let queue = inputs[definition.name] {
                let context = SinkContext(name: definition.name, codec: spec, router: router, breaker: breakers[definition.name])
                let events = metrics.events(node: definition.name, port: .in, direction: "in")
                let logger = self.logger
                sinkJobs.append {
                    if await connected?.value ?? true {
                        do {
                            try await sink.run(SinkInput(queue: queue, events: events), context)
                        } catch {
                            logger.error("connector \(definition.name): sink stopped: \(error)")
                            self.stoppedConnectors.withLock { $0.append("connector \(definition.name): sink stopped: \(error)") }
                        }
                    }
                    // Whatever is still queued cannot be delivered any more.
                    while let message = await queue.receive() {
                        if case .batch(let events) = message { context.fail(events, reason: "sink stopped") }
                    }
                }
            }
            // A source whose output nothing reads is not started (a `stdio` used only as a sink
            // must not consume standard input).
            if let source = parts.source, sourceRuns {
                let context = SourceContext(
                    name: definition.name, sourceId: UInt64(index), out: outlet(definition.name, .out),
                    err: outlet(definition.name, .err), codec: spec,
                    router: router, batchSize: batchSize,
                    breakers: sinksReached(from: definition.name) + [pauseGate],
                    events: (
                        metrics.events(node: definition.name, port: .out, direction: "out"),
                        metrics.events(node: definition.name, port: .err, direction: "out")
                    ),
                    sendsJSONText: rawJSON.contains(definition.name))
                context.setLifecycle(parts.lifecycle)
                let logger = self.logger
                let lifecycle = parts.lifecycle
                sourceJobs.append {
                    if await connected?.value ?? true {
                        do {
                            try await source.run(context)
                        } catch is CancellationError {
                        } catch {
                            logger.error("connector \(definition.name): source stopped: \(error)")
                            self.stoppedConnectors.withLock { $0.append("connector \(definition.name): source stopped: \(error)") }
                        }
                        await lifecycle?.onDrain()
                    }
                    context.out.finish()
                    context.err.finish()
                }
            }
        }
        var pipelineJobs: [@Sendable () async -> Void] = []
        for definition in flow.pipelines {
            guard let queue = inputs[definition.name] else { continue }
            var ports: [Port: Outlet] = [:]
            for (port, targets) in outlets[definition.name] ?? [:] {
                ports[port] = Outlet(targets: targets)
            }
            let node = PipelineNode(
                definition: definition, registry: operators, input: queue, outlets: ports, router: router,
                logger: logger, metrics: metrics, reloader: reloader)
            pipelineJobs.append {
                let ticker = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(100))
                        queue.trySend(.tick(MonotonicClock.now()))
                    }
                }
                await node.run()
                ticker.cancel()
            }
        }

        let connecting = connectTasks
        let sourcesTask = Task {
            await withTaskGroup(of: Void.self) { group in
                for job in sourceJobs { group.addTask { await job() } }
            }
        }
        sources.withLock { $0 = sourcesTask }
        connectTasksToStop.withLock { $0 = connecting }
        if stopRequested.load(ordering: .relaxed) {
            sourcesTask.cancel()
            for task in connecting { task.cancel() }
        }
        await withTaskGroup(of: Void.self) { group in
            for job in sinkJobs { group.addTask { await job() } }
            for job in pipelineJobs { group.addTask { await job() } }
            group.addTask { await sourcesTask.value }
        }
        router.finishAcknowledgements()
        for lifecycle in lifecycles { await lifecycle.onStop() }
        let total = router.total
        return FlowReport(produced: total.produced, acked: total.acked, failed: total.failed)
    }
}
