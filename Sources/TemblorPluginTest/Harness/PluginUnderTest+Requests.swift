import Logging
import TemblorLua
import TemblorValue

extension PluginUnderTest {
    /// Answers what a case asked through `p` (`lua/temblor/test.lua`): `true` and the results,
    /// or `false` and the message the case raises at the line that asked.
    func answer(_ request: Value) -> [Value] {
        do throws(PluginTestError) {
            return [.bool(true)] + (try handle(request))
        } catch {
            return [.bool(false), .string(error.message)]
        }
    }

    private func handle(_ request: Value) throws(PluginTestError) -> [Value] {
        guard let op = request["op"]?.stringValue else { throw PluginTestError("p: a request without an op") }
        switch op {
        case "start":
            if let failure = start() { return [.bool(false), .string(failure)] }
            return [.bool(true)]
        case "feed":
            if let failure = feed(request["event"] ?? .null, meta: request["meta"] ?? .null) { return [.bool(false), .string(failure)] }
            return [.bool(true)]
        case "emitted":
            return [.array(emitted)]
        case "acked":
            return [.int(Int64(acked))]
        case "failed":
            return [.int(Int64(failed))]
        case "errors":
            return [.array(errors.map(Value.string))]
        case "logs":
            return [.array(log.all.map { ["level": .string(Self.levelName($0.level)), "message": .string($0.message)] })]
        case "state":
            return [plugin.savedState() ?? .null]
        case "now":
            return [.int(Int64(clock.milliseconds.rounded(.down)))]
        case "stop":
            plugin.isRunning = false
            if case .failure(let error) = run(.onStop) { record("on_stop: \(error)") }
            return []
        case "call":
            return [try call(request["hook"]?.stringValue ?? "")]
        case "run_source":
            return [.int(Int64(try runSource(events: try count(request, "events"), ms: try count(request, "ms"))))]
        case "advance":
            try advance(try count(request, "ms") ?? 0)
            return []
        case "reload":
            if let failure = reload(path: request["path"]?.stringValue) { return [.bool(false), .string(failure)] }
            return [.bool(true)]
        case "mock":
            guard let kind = request["kind"]?.stringValue, ["http", "tcp", "udp", "fs"].contains(kind) else { throw PluginTestError("p: unknown stub") }
            if spec.isOperator { throw PluginTestError("p:mock_\(kind): a pipeline operator has no host I/O to stub") }
            stubbed.insert(kind)
            return []
        default:
            throw PluginTestError("p: unknown request \(op)")
        }
    }

    private func count(_ request: Value, _ key: String) throws(PluginTestError) -> Int? {
        guard let value = request[key], !value.isNull else { return nil }
        guard case .int(let number) = value, number >= 0 else { throw PluginTestError("\(key) must be an integer of 0 or more, not \(value)") }
        return Int(number)
    }

    /// `p:call(hook)`: runs a lifecycle hook and returns its first result; its error is raised.
    private func call(_ name: String) throws(PluginTestError) -> Value {
        guard let hook = LuaHook.allCases.first(where: { $0.description == name }), hook != .onEvent, hook != .onReload else {
            let names = LuaHook.allCases.filter { $0 != .onEvent && $0 != .onReload }.map(\.description)
            throw PluginTestError("p:call: '\(name)' is not a lifecycle hook (they are \(names.joined(separator: ", ")); feed events with p:feed)")
        }
        if hook != .connect, let failure = start() { throw PluginTestError(failure) }
        if hook == .onStop { plugin.isRunning = false }
        switch run(hook) {
        case .success(let value):
            if hook == .connect, value.boolValue == true { started = true }
            return value
        case .failure(let error):
            record("\(name): \(error)")
            throw PluginTestError("\(name): \(error)")
        }
    }

    /// `p:reload(path)`: as a hot reload: the new version loads beside the running one, gets
    /// the old `ctx.state`, runs `on_reload`, then takes over; a version that fails leaves the
    /// running one as it was.
    private func reload(path: String?) -> String? {
        let target = path.map { $0.hasPrefix("/") ? $0 : testDirectory + "/" + $0 } ?? spec.path
        let fresh: LuaPlugin
        do throws(LuaError) {
            fresh = try Self.load(spec: spec, path: target, state: .null, libraryRoots: libraryRoots, logger: logger)
            if plugin.has(.onEvent), !fresh.has(.onEvent) { return "the new version has no on_event" }
            let old = LuaPlugin.stateTable(plugin.savedState() ?? .null)
            try fresh.setState(old)
            fresh.clock = clock
            try fresh.adoptReloaded(try fresh.call(.onReload, [old]))
        } catch {
            record("reload: \(error)")
            return "\(error)"
        }
        replace(with: fresh)
        return nil
    }

    private static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .warning: "warn"
        default: level.rawValue
        }
    }
}

