import Logging
import TemblorCodecs
import TemblorLua
import TemblorRuntime
import TemblorValue

/// One case's instance of a plugin: the real `LuaPlugin` (sandbox, limits, bridge), driven as a
/// flow would drive it, except that its clock is fake and its host I/O is answered by the
/// test's stubs where it has them. It is what `p` stands for in a test file.
final class PluginUnderTest {
    let spec: PluginTestSpec
    var plugin: LuaPlugin
    let clock = FakeClock()
    let log = PluginTestLog()
    let logger: Logger
    /// Asks the test file's fake world to answer a stubbed call (`driver.io`).
    let world: (Value) throws(LuaError) -> Value
    /// Opens real host I/O for calls no stub answers.
    let provider: (any LuaHostIOProvider)?
    var session: (any LuaHostIO)?

    /// `{ payload, meta[, port] }` of every event emitted, in order.
    var emitted: [Value] = []
    var acked = 0
    var failed = 0
    var errors: [String] = []
    /// Set when a stub raised: the case fails with it once the plugin call is over.
    var stubFailure: String?
    /// The kinds of host I/O the test stubbed: `http`, `tcp`, `udp`, `fs`.
    var stubbed: Set<String> = []
    var codec: any Codec

    var started = false
    /// The source coroutine runs (started and not yet returned or failed).
    var sourceActive = false
    /// When the sleeping source resumes; `nil` when it is ready now.
    var sourceWake: Double?
    /// The result of the host I/O call the source waits on, for its next resume.
    var sourceAnswer: LuaIOResult?
    /// How long the last stubbed call waited for nothing (a receive that timed out): the fake
    /// clock passes it before the caller resumes.
    var waited: Double?
    /// How many events the source coroutine emitted, apart from timers' and hooks'.
    var sourceProduced = 0
    /// When each `ctx:every` timer fires next, by id.
    var timerDue: [Int: Double] = [:]

    /// Handles of real sessions and of stubs never collide: the fake world's start here.
    static let firstStubHandle = 1 << 20

    init(
        spec: PluginTestSpec, testDirectory: String, libraryRoots: [String], provider: (any LuaHostIOProvider)?,
        world: @escaping (Value) throws(LuaError) -> Value
    ) throws(PluginTestError) {
        self.spec = spec
        self.testDirectory = testDirectory
        self.provider = provider
        self.world = world
        logger = log.logger(label: "temblor.lua.\(spec.instanceName)")
        do {
            codec = try CodecRegistry.standard.makeCodec(spec.codec)
        } catch {
            throw PluginTestError("t.plugin(\"\(spec.path)\"): codec: \(error)")
        }
        do {
            plugin = try Self.load(spec: spec, path: spec.path, state: .null, libraryRoots: libraryRoots, logger: logger)
        } catch {
            throw PluginTestError("\(error)")
        }
        plugin.clock = clock
        self.libraryRoots = libraryRoots
    }

    let libraryRoots: [String]
    /// Where the test file is: paths the test gives start there.
    let testDirectory: String

    static func load(spec: PluginTestSpec, path: String, state: Value, libraryRoots: [String], logger: Logger) throws(LuaError) -> LuaPlugin {
        let plugin = try LuaPlugin(
            path: path, instance: spec.instanceName, config: spec.config, state: state, limits: spec.limits,
            capabilities: spec.capabilities, libraryRoots: libraryRoots, logger: logger)
        if spec.isOperator, !plugin.has(.onEvent) {
            throw .runtime("\(path): a pipeline operator needs on_event")
        }
        return plugin
    }

    /// Callbacks of a connector granted host I/O run as coroutines that may wait, as in a flow.
    var waits: Bool { !spec.capabilities.isEmpty }

    /// Closes what the case's real host I/O opened.
    func finish() {
        if let session { BlockingIO.close(session) }
        session = nil
    }

    // MARK: - Lifecycle

    /// `connect`, then `on_start`, once, as a flow starts a connector; the failure's message
    /// when it does not connect.
    @discardableResult
    func start() -> String? {
        if started || spec.isOperator { return nil }
        switch run(.connect) {
        case .failure(let error):
            return "the plugin did not connect: connect: \(error)"
        case .success(let connected):
            if plugin.has(.connect), connected.boolValue != true {
                return "the plugin did not connect: connect returned \(connected.isNull ? "nothing" : "\(connected)") (it must return true)"
            }
        }
        started = true
        if case .failure(let error) = run(.onStart) { record("on_start: \(error)") }
        return nil
    }

    /// Runs `hook(ctx)` to its end, through the coroutine path when the plugin may wait.
    func run(_ hook: LuaHook, _ arguments: [Value] = []) -> Result<Value, LuaError> {
        guard plugin.has(hook) else { return .success(.null) }
        let mark = plugin.emissions.count
        let result: Result<Value, LuaError>
        if waits {
            result = drive(plugin.begin(hook, arguments)).map { $0.value ?? .null }
        } else {
            do throws(LuaError) { result = .success(try plugin.call(hook, arguments)) } catch { result = .failure(error) }
        }
        settle(keepingEmissions: result.isSuccess, from: mark)
        if case .failure(let error) = result { restartIfOverLimit(error) }
        return result
    }

    /// Runs a callback coroutine until it returns or fails, answering its host I/O.
    func drive(_ first: LuaCallStep) -> Result<LuaEventResult, LuaError> {
        var step = first
        while true {
            switch step {
            case .finished(let result): return .success(result)
            case .failed(let error): return .failure(error)
            case .waiting(let call, let request):
                let answer = perform(request)
                if let waited {
                    clock.move(to: clock.milliseconds + waited)
                    self.waited = nil
                }
                closeHandles()
                step = plugin.resume(call, with: answer)
            }
        }
    }

    func record(_ message: String) {
        errors.append(message)
        logger.error("\(message)")
    }

    /// After a callback: takes what it emitted (dropping it when the call failed), closes what
    /// it closed and learns the timers it registered.
    func settle(keepingEmissions keep: Bool, from mark: Int) {
        if keep {
            collectEmissions()
        } else if plugin.emissions.count > mark {
            plugin.emissions.removeSubrange(mark...)
        }
        closeHandles()
        for timer in plugin.timers where timerDue[timer.id] == nil {
            timerDue[timer.id] = clock.milliseconds + Double(timer.intervalMs)
        }
    }

    func collectEmissions() {
        let taken = plugin.emissions
        plugin.emissions = []
        for emission in taken {
            switch emission {
            case .value(let value, let meta):
                emitted.append(Self.emittedEvent(value, meta: meta))
            case .raw(let bytes, let meta):
                do throws(CodecError) {
                    emitted.append(Self.emittedEvent(try codec.decode(bytes), meta: meta))
                } catch {
                    var errorMeta: Object = meta.objectValue ?? Object()
                    errorMeta["error"] = .string("\(error)")
                    emitted.append(.object(["payload": .bytes(bytes), "meta": .object(errorMeta), "port": "err"]))
                }
            }
        }
    }

    static func emittedEvent(_ payload: Value, meta: Value, port: String? = nil) -> Value {
        var event: Object = ["payload": payload, "meta": meta.isNull ? .object(Object()) : meta]
        if let port, port != "out" { event["port"] = .string(port) }
        return .object(event)
    }

    func closeHandles() {
        let closed = plugin.closedHandles
        plugin.closedHandles = []
        for handle in closed { _ = perform(.close(handle: handle)) }
        waited = nil
    }

    /// A state that went over a limit is not trusted with the next call: as in a flow, it is
    /// replaced by a fresh one that starts from the old `ctx.state`.
    func restartIfOverLimit(_ error: LuaError) {
        guard error.isLimit else { return }
        let saved = plugin.savedState() ?? .null
        do throws(LuaError) {
            let fresh = try Self.load(spec: spec, path: spec.path, state: saved, libraryRoots: libraryRoots, logger: logger)
            replace(with: fresh)
            logger.warning("restarted the plugin's state after: \(error)")
        } catch {
            record("restarting the state failed: \(error)")
        }
    }

    /// Makes `fresh` the running state: its timers and source start over.
    func replace(with fresh: LuaPlugin) {
        fresh.clock = clock
        fresh.isRunning = plugin.isRunning
        plugin = fresh
        timerDue = [:]
        sourceActive = false
        sourceWake = nil
        sourceAnswer = nil
        if started {
            started = false
            if let failure = start() { record(failure) }
        }
    }
}

extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
