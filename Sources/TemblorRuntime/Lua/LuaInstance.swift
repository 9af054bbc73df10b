import CoreMetrics
import Logging
import TemblorLua
import TemblorValue

/// One Lua connector instance: owns the plugin's state on its own serial executor (this actor),
/// so its source side, sink side and hooks never touch the state at the same time. It contains
/// the plugin's faults: an error fails the event at hand and is logged and counted; repeated
/// errors or a limit restart the state with exponential backoff, carrying `ctx.state` over; a
/// plugin that keeps failing is stopped, and its events fail from then on.
actor LuaInstance {
    let name: String
    let path: String
    let config: Value
    let limits: LuaLimits
    let libraryRoots: [String]
    let policy: LuaFaultPolicy
    let logger: Logger
    let batchSize: Int
    /// What the flow grants the plugin (`allow:`), and who performs its host I/O.
    let capabilities: LuaCapabilities
    let hostIO: (any LuaHostIOProvider)?
    private let errorCounter: Counter
    /// The flow's metrics backend, for every state of the plugin (reloads load off the flow's tasks).
    let metrics: any MetricsFactory
    /// The record the daemon's API shows (`PluginStatus`).
    var loadedAt = 0.0
    var reloads = 0
    var restartsTotal = 0
    var faultsTotal = 0

    var plugin: LuaPlugin?
    /// Counts states: a callback that waited on host I/O finds out whether its state is still
    /// the current one.
    var generation = 0
    /// A restarted state runs its `connect` and `on_start`, which may wait on host I/O; other
    /// callers wait for it.
    var isLoading = false
    var loadWaiters: [CheckedContinuation<Void, Never>] = []
    /// Callbacks waiting on host I/O now; a reload swaps the state once there are none.
    var activeWaits = 0
    var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// The files the plugin is made of, and the content hash of those the running state loaded.
    let files: LuaPluginFiles
    var runningHash = ""
    /// The plugin file's text the running version was loaded from: a state restarted after
    /// faults runs it again, even when the file has since changed into a version a reload refused.
    var runningText: [UInt8]?
    /// The state whose source coroutine runs: after a reload, the source starts again.
    var sourceGeneration = -1
    /// Whether the runner started the connector (`on_start`), so that a reloaded state starts too.
    var started = false
    /// `ctx.state` as the last instance left it, for the next one.
    var carriedState: Value = .null
    var faults: LuaFaultCounter
    var restartAt: ContinuousClock.Instant?
    var isStopped = false
    var isStopping = false
    /// The hooks and sides the plugin declares, known once it loaded.
    var info: LuaPluginInfo?
    var nextTimerDue: [Int: ContinuousClock.Instant] = [:]
    /// Whether `on_drain` ran.
    private var drained = false

    /// Which sides the flow runs; on_event's emissions need the source side's context.
    private(set) var sourceInUse = true
    private(set) var sinkInUse = true
    private(set) var sourceContext: SourceContext?
    private var sourceContextWaiters: [CheckedContinuation<SourceContext?, Never>] = []
    private var sinkFinished = false
    private var sinkWaiters: [CheckedContinuation<Void, Never>] = []

    init(
        name: String, path: String, config: Value, limits: LuaLimits, libraryRoots: [String], policy: LuaFaultPolicy,
        capabilities: LuaCapabilities = LuaCapabilities(), hostIO: (any LuaHostIOProvider)? = nil, batchSize: Int = 256, logger: Logger
    ) {
        self.capabilities = capabilities
        self.hostIO = hostIO
        files = LuaPluginFiles(path: path)
        self.name = name
        self.path = path
        self.config = config
        self.limits = limits
        self.libraryRoots = libraryRoots
        self.policy = policy
        self.batchSize = batchSize
        self.logger = logger
        faults = LuaFaultCounter(policy: policy)
        metrics = MetricsScope.current
        errorCounter = Counter(label: "temblor_lua_errors_total", dimensions: [("connector", name)], factory: metrics)
    }

    // MARK: - The state

    /// The running plugin, loading a fresh state when there is none. Throws when the plugin is
    /// stopped, or waiting out its backoff (`LuaFault.restarting`).
    /// A state loaded for the runner's own `connect` skips the restart's connect and on_start:
    /// the runner calls them.
    func loaded(restartHooks: Bool = true) async throws(LuaFault) -> LuaPlugin {
        await passGate()
        if let plugin { return plugin }
        if isStopped { throw .stopped(name: name) }
        let hash = runningText == nil ? files.contentHash() : runningHash
        let text = runningText ?? files.mainText()
        if let restartAt, ContinuousClock.now < restartAt { throw .restarting(until: restartAt) }
        let fresh: LuaPlugin
        do {
            fresh = try LuaPlugin(
                path: path, text: text, instance: name, config: config, state: carriedState, limits: limits, capabilities: capabilities,
                libraryRoots: libraryRoots, logger: logger, metrics: metrics)
        } catch {
            record(error, in: "loading the plugin")
            throw .failed(error)
        }
        fresh.emitBatch = batchSize
        fresh.isRunning = !isStopping
        info = fresh.info
        nextTimerDue = [:]
        generation += 1
        if runningText == nil { loadedAt = Event.nowSeconds() }
        runningHash = hash
        runningText = text
        openIO(for: fresh)
        if faults.restarts > 0 && restartHooks {
            // A restarted state connects and starts again, as a fresh connector would.
            isLoading = true
            defer { openGate() }
            do throws(LuaError) {
                let connected = try await run(.connect, on: fresh)
                if fresh.has(.connect), connected == .bool(false) || connected.isNull {
                    throw LuaError.runtime("connect returned \(connected)")
                }
                try await run(.onStart, on: fresh)
            } catch {
                closeIO(of: fresh)
                record(error, in: "restarting")
                throw .failed(error)
            }
        }
        plugin = fresh
        return fresh
    }

    /// Counts an error of the plugin and restarts or stops it by the fault policy.
    private func record(_ error: LuaError, in hook: String) {
        errorCounter.increment()
        faultsTotal += 1
        logger.error("connector \(name): plugin \(info?.name ?? path): \(hook): \(error)")
        let verdict = faults.failed(error, running: plugin != nil)
        guard verdict != .keep else { return }
        restartsTotal += 1
        if let plugin, let saved = plugin.savedState() { carriedState = saved }
        closeIO(of: plugin)
        plugin = nil
        switch verdict {
        case .keep:
            break
        case .stop:
            isStopped = true
            logger.error("connector \(name): plugin stopped after \(policy.maxRestarts) restarts; its events fail from now on")
        case .restart(let afterMs):
            restartAt = ContinuousClock.now + .milliseconds(afterMs)
            logger.warning(
                "connector \(name): restarting the plugin's state in \(afterMs) ms (restart \(faults.restarts) of at most \(policy.maxRestarts))")
        }
    }

    private func succeeded(_ calls: Int = 1) {
        faults.succeeded(calls)
    }

    /// How long a caller should wait before the state can be used again, `nil` when it can now.
    func restartDelay() -> Duration? {
        guard plugin == nil, !isStopped, let restartAt else { return nil }
        let delay = restartAt - ContinuousClock.now
        return delay > .zero ? delay : nil
    }

    // MARK: - Lifecycle hooks

    func setSides(source: Bool, sink: Bool) {
        sourceInUse = source
        sinkInUse = sink
        if !sink { finishSink() }
        if !source { attach(nil) }
    }

    /// Loads the plugin and calls its `connect`: `false`, `nil` from a defined hook, or an error
    /// is retried by the runner.
    func connect() async throws -> Bool {
        // A plugin its fault policy stopped never connects again: the connector runs without
        // it (its events fail, its source ends) rather than being retried forever, so that a
        // finite flow still ends.
        if isStopped { return true }
        let plugin = try await loaded(restartHooks: false)
        guard plugin.has(.connect) else { return true }
        do {
            let result = try await run(.connect, on: plugin)
            return result != .bool(false) && !result.isNull
        } catch {
            record(error, in: "connect")
            throw error
        }
    }

    /// Calls `on_drain` once (later calls do nothing) and returns what it emitted, for the
    /// source side to send before it ends.
    func drain() async -> [LuaEmission] {
        guard !drained else { return [] }
        drained = true
        guard let plugin = try? await loaded(), plugin.has(.onDrain) else { return [] }
        do {
            try await run(.onDrain, on: plugin)
            succeeded()
        } catch {
            record(error, in: LuaHook.onDrain.description)
        }
        let emissions = plugin.emissions
        plugin.emissions = []
        return emissions
    }

    func call(_ hook: LuaHook) async {
        if hook == .onStop { isStopping = true }
        if hook == .onStart { started = true }
        guard let plugin = try? await loaded(), plugin.has(hook) else {
            if hook == .onStop { closeIO(of: self.plugin) }
            return
        }
        if hook == .onStop { plugin.isRunning = false }
        do {
            try await run(hook, on: plugin)
            succeeded()
        } catch {
            record(error, in: hook.description)
        }
        // Nothing the plugin opened outlives the flow.
        if hook == .onStop { closeIO(of: plugin) }
    }

    // MARK: - The source side

    /// The source side's context, once it runs; `nil` when the flow does not run the source side.
    func attach(_ context: SourceContext?) {
        sourceContext = context
        for waiter in sourceContextWaiters { waiter.resume(returning: context) }
        sourceContextWaiters = []
    }

    /// Waits until the source side attached (or is known not to run).
    func awaitSourceContext() async -> SourceContext? {
        if let sourceContext { return sourceContext }
        if !sourceInUse { return nil }
        return await withCheckedContinuation { sourceContextWaiters.append($0) }
    }

    /// The flow is stopping: `ctx:running()` answers false from now on.
    func stopRunning() {
        isStopping = true
        plugin?.isRunning = false
    }

    /// Starts the source coroutine of the current state.
    func startSource() async throws(LuaFault) {
        let plugin = try await loaded()
        sourceGeneration = generation
        guard plugin.hasSource else { return }
        do {
            try plugin.startSource()
        } catch {
            record(error, in: "source")
            throw .failed(error)
        }
    }

    /// Resumes the source coroutine and takes what it emitted.
    /// Waits on the host I/O the coroutine asks for, resuming it with the results, until it
    /// emits a batch, sleeps, ends or fails.
    func resumeSource() async -> (step: LuaSourceStep, emissions: [LuaEmission]) {
        await passGate()
        guard let plugin else { return (.failed(.runtime("the state was restarted")), []) }
        // A reloaded state runs its own source function, from the top.
        guard sourceGeneration == generation else { return (.failed(.runtime("the plugin was reloaded")), []) }
        var step = plugin.resumeSource()
        var emissions = plugin.emissions
        plugin.emissions = []
        let state = generation
        activeWaits += 1
        defer { waitEnded() }
        var waitsAfterStop = 0
        while case .waiting(let request) = step {
            await closeHandles(of: plugin)
            let result = await perform(request, for: plugin)
            if Task.isCancelled {
                // The flow stops: ctx:running() says so, and a source that keeps calling host
                // I/O anyway (each call now fails at once) is given up on.
                stopRunning()
                waitsAfterStop += 1
                if waitsAfterStop > LuaSource.resumesAfterStop {
                    logger.warning("connector \(name): the source function keeps calling host I/O after the flow stopped; it is abandoned")
                    return (.failed(.runtime("the source function keeps calling host I/O after the flow stopped")), emissions)
                }
            }
            guard generation == state, self.plugin === plugin else {
                return (.failed(.runtime("the state was restarted while the source waited on host I/O")), emissions)
            }
            step = plugin.resumeSource(with: result)
            emissions += plugin.emissions
            plugin.emissions = []
        }
        await closeHandles(of: plugin)
        switch step {
        case .failed(let error): record(error, in: "source")
        case .emitted, .sleep: succeeded()
        case .finished, .waiting: break
        }
        return (step, emissions)
    }

    /// Calls the timers that are due and returns what they emitted and when the next one is.
    func fireDueTimers() async -> (emissions: [LuaEmission], next: ContinuousClock.Instant?) {
        await passGate()
        guard let plugin, !plugin.timers.isEmpty else { return ([], nil) }
        let now = ContinuousClock.now
        var emissions: [LuaEmission] = []
        for timer in plugin.timers {
            let due = nextTimerDue[timer.id] ?? now + .milliseconds(timer.intervalMs)
            guard due <= now else {
                nextTimerDue[timer.id] = due
                continue
            }
            nextTimerDue[timer.id] = due + .milliseconds(timer.intervalMs) < now ? now + .milliseconds(timer.intervalMs) : due + .milliseconds(timer.intervalMs)
            if plugin.capabilities.isEmpty {
                do {
                    try plugin.fireTimer(timer.id)
                    succeeded()
                    emissions += plugin.emissions
                } catch {
                    record(error, in: "ctx:every function")
                }
                plugin.emissions = []
            } else {
                let (result, emitted) = await complete(plugin.beginTimer(timer.id), on: plugin)
                switch result {
                case .success:
                    succeeded()
                    emissions += emitted
                case .failure(let error):
                    record(error, in: "ctx:every function")
                }
            }
            if self.plugin !== plugin { return (emissions, nil) }
        }
        return (emissions, nextTimerDue.values.min())
    }

    /// Whether the current state has timers to drive.
    var hasTimers: Bool { !(plugin?.timers.isEmpty ?? true) }

    // MARK: - The sink side

    /// Runs `on_event` for `events` in order, from `start`. Stops early (returning where) when
    /// the state restarts, so that the caller waits out the backoff instead of failing events.
    func deliver(_ events: [Event], from start: Int) async -> LuaDelivery {
        var delivery = LuaDelivery(start: start, next: events.count)
        var index = start
        while index < events.count {
            let plugin: LuaPlugin
            do {
                plugin = try await loaded()
            } catch {
                if case .restarting = error {
                    delivery.next = index
                    return delivery
                }
                delivery.failed += index..<events.count
                delivery.reason = "\(error)"
                return delivery
            }
            guard plugin.hasSink else {
                delivery.failed += index..<events.count
                delivery.reason = "plugin \(plugin.info.name) has no on_event, so it cannot take events; link nothing into \(name)"
                return delivery
            }
            // The rest of the batch in one host call, up to the first failure; one event at a
            // time for a plugin that may wait on host I/O.
            let (next, failure) = plugin.capabilities.isEmpty
                ? plugin.deliver(events, from: index)
                : await deliverWaiting(events[index], at: index, on: plugin, into: &delivery)
            if !plugin.emissions.isEmpty {
                delivery.emissions += plugin.emissions
                plugin.emissions = []
            }
            if next > index { succeeded(next - index) }
            index = next
            guard let failure else { continue }
            delivery.failed.append(index)
            if case .invalidJSON(let message) = failure {
                // Not the plugin's fault: the frame is not JSON, as the source would have said.
                delivery.reason = "invalid JSON: \(message)"
                logger.error("connector \(name): event \(events[index].id): invalid JSON: \(message)")
            } else {
                delivery.reason = "on_event: \(failure)"
                record(failure, in: "on_event")
            }
            index += 1
        }
        return delivery
    }

    /// The sink side ended (or does not run): the source side may end too.
    func finishSink() {
        sinkFinished = true
        for waiter in sinkWaiters { waiter.resume() }
        sinkWaiters = []
    }

    /// Waits until the sink side ended, so that what `on_event` forwards still has a way out.
    func awaitSinkFinished() async {
        if sinkFinished { return }
        await withCheckedContinuation { sinkWaiters.append($0) }
    }
}

/// What one call of `LuaInstance.deliver` did with a batch: the events in `start..<next` were
/// handled, those at `failed` failed (the others are delivered).
struct LuaDelivery: Sendable {
    var start: Int
    var next: Int
    var failed: [Int] = []
    var reason = ""
    var emissions: [LuaEmission] = []

    /// The handled events that were delivered, and those that failed.
    func split(_ events: [Event]) -> (acked: [Event], failed: [Event]) {
        if failed.isEmpty {
            return (start == 0 && next == events.count ? events : Array(events[start..<next]), [])
        }
        let failing = Set(failed)
        var acked: [Event] = []
        for index in start..<next where !failing.contains(index) { acked.append(events[index]) }
        return (acked, failed.map { events[$0] })
    }
}

/// Why a plugin could not take a call.
enum LuaFault: Error, CustomStringConvertible {
    case stopped(name: String)
    case restarting(until: ContinuousClock.Instant)
    case failed(LuaError)

    var description: String {
        switch self {
        case .stopped(let name): "the plugin of connector \(name) was stopped after repeated faults"
        case .restarting: "the plugin is restarting"
        case .failed(let error): "\(error)"
        }
    }
}
