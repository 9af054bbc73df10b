// Invariants of this file (the host side of DESIGN §8's plugin API):
// - Every call into Lua is a lua_pcall of a C function from CLua/host.h, or a lua_resume of the
//   source coroutine; both are protected, so no Lua error unwinds a Swift frame.
// - Each such call runs with the instruction budget armed on the Lua thread it runs on and is
//   watched by the wall-clock watchdog; both are disarmed once it returned.
// - The host structure the C side reaches Swift through outlives the state: `deinit` closes the
//   state first (through `lua`) and frees the structure after.
// - Every method leaves the main thread's stack as it found it.
import CLua
import CLuaJSON
import CoreMetrics
import Logging
import TemblorValue

/// One instance of a Lua plugin in its own sandboxed state: the hooks, the event handler, the
/// source coroutine and the timers of a Lua connector or pipeline operator. Not thread-safe:
/// its owner runs it on one serial executor.
public final class LuaPlugin {
    /// What the plugin file declares.
    public let info: LuaPluginInfo
    /// The connector or operator instance's name, for logs and metrics.
    public let instance: String
    public let limits: LuaLimits
    /// The `config` the plugin sees: the flow's over the plugin's defaults.
    public let config: Value
    /// What `ctx:running()` answers; the owner clears it when the flow stops.
    public var isRunning = true
    /// The source coroutine yields after emitting this many events, so they travel as a batch.
    public var emitBatch = 256
    /// What the plugin emitted since the owner last took it.
    @exclusivity(unchecked) public var emissions: [LuaEmission] = []
    /// The functions registered with `ctx:every`.
    public internal(set) var timers: [LuaTimer] = []
    /// What the connector's flow grants the plugin (`allow:`).
    public let capabilities: LuaCapabilities
    /// The host I/O of this state, which its owner opens for it and closes with it.
    public var io: (any LuaHostIO)?
    /// Handles the script closed since the owner last took them: closing never waits, the owner
    /// closes them in the host after the callback.
    public var closedHandles: [Int] = []
    /// What `ctx:now()` and `temblor.now()` read; a test replaces it with a clock it drives.
    public var clock: any LuaClock = MonotonicLuaClock()

    let lua: LuaState
    let host: UnsafeMutablePointer<temblor_lua_host>
    let logger: Logger
    var sleepRequest: Int?
    /// The host I/O call a coroutine yielded for, until the owner takes it.
    var pendingIO: LuaIORequest?
    /// The coroutines the host resumes (the source's and the callbacks' waiting on host I/O):
    /// only they may wait; a coroutine the script made would hand the wait to the script.
    var hostThreads: Set<OpaquePointer> = []
    /// Finished callback coroutines kept for the next callbacks.
    var spareCalls: [LuaCall] = []
    /// The results of the last host I/O call, where the C side reads them.
    var ioResult: (items: UnsafeMutableBufferPointer<temblor_lua_item>, strings: UnsafeMutableRawBufferPointer)?
    var gauges: [String: Gauge] = [:]
    /// Where `ctx:metric` gauges and denied calls are counted: the flow's backend.
    let metrics: any MetricsFactory
    /// The wall-clock watchdog's view of this state's running callback.
    let watch: LuaWatchdog.Slot
    var source: OpaquePointer?
    var payloadTape = LuaTape()
    // The hot path's own state: this object is used by one owner at a time (see the type's
    // doc), so dynamic exclusivity checks on every event buy nothing.
    @exclusivity(unchecked) var metaTape = LuaTape()
    /// The metadata `metaTape` holds: events of one stream share theirs, flattened once.
    @exclusivity(unchecked) private var metaInTape: Value?

    /// Emissions one callback may leave unsent when it cannot yield (on_event, timers).
    static let maxPendingEmissions = 100_000

    /// Loads the plugin at `path` into a fresh state, with `config` merged over its defaults and
    /// `ctx.state` starting from `state` (what a previous instance left, `null` for a new one).
    /// With `text`, that is the plugin file's content (a version read before) rather than the
    /// file's content now.
    public init(
        path: String, text: [UInt8]? = nil, instance: String, config: Value = .null, state: Value = .null, limits: LuaLimits = LuaLimits(),
        capabilities: LuaCapabilities = LuaCapabilities(), libraryRoots: [String] = [], logger: Logger? = nil,
        metrics: (any MetricsFactory)? = nil
    ) throws(LuaError) {
        self.instance = instance
        self.metrics = metrics ?? MetricsScope.current
        self.limits = limits
        self.capabilities = capabilities
        self.logger = logger ?? Logger(label: "temblor.lua.\(instance)")
        watch = LuaWatchdog.shared.makeSlot(milliseconds: limits.timeMs)
        lua = try LuaState(memoryLimit: limits.memory)
        host = .allocate(capacity: 1)
        host.initialize(to: temblor_lua_host())
        host.pointee.ctx_ref = LUA_NOREF
        host.pointee.on_event_ref = LUA_NOREF
        host.pointee.dispatch = LuaPlugin.dispatch
        temblor_lua_set_host(lua.state, host)
        lua.afterClose = { [host] in host.deallocate() }
        temblor_lua_push_cfunction(lua.state, temblor_lua_install_module)
        guard temblor_lua_pcall(lua.state, 0, 0, 0) == LUA_OK else {
            temblor_lua_pop(lua.state, 1)
            throw .outOfMemory(during: "installing the temblor module")
        }
        host.pointee.io_source = UnsafePointer(LuaHostIOModule.text.baseAddress)
        host.pointee.io_source_length = LuaHostIOModule.text.count
        host.pointee.json_decode = temblor_lua_json_decode
        info = try lua.loadPlugin(
            at: path, text: text, libraryRoots: libraryRoots, instructionLimit: limits.instructions, timeLimitMs: limits.timeMs)
        self.config = config.isNull ? info.defaults : config.merged(over: info.defaults)
        host.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        let top = lua_gettop(lua.state)
        defer { lua_settop(lua.state, top) }
        temblor_lua_push_cfunction(lua.state, temblor_lua_make_ctx)
        try lua.push(self.config)
        try lua.push(state)
        guard temblor_lua_pcall(lua.state, 2, 0, 0) == LUA_OK else { throw .outOfMemory(during: "building ctx") }
    }

    deinit {
        // From here on ctx methods refuse to run; the structure itself is freed by the state
        // once closed (see `init`).
        host.pointee.owner = nil
        host.pointee.io_items = nil
        releaseIOResult()
    }

    /// Bytes the state uses now.
    public var memoryInUse: Int { lua.memoryInUse }

    /// Whether the plugin defines `hook`.
    public func has(_ hook: LuaHook) -> Bool { info.hooks.contains(hook.description) }

    /// Whether the plugin has a source side (`source`) and a sink side (`on_event`).
    public var hasSource: Bool { info.hooks.contains("source") }
    public var hasSink: Bool { info.hooks.contains("on_event") }

    /// Calls `hook(ctx, arguments...)`, returning its first result (`null` when the plugin does
    /// not define it or returned nothing).
    @discardableResult
    public func call(_ hook: LuaHook, _ arguments: [Value] = []) throws(LuaError) -> Value {
        guard has(hook) else { return .null }
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        guard lua_checkstack(state, Int32(arguments.count) + 4) != 0 else { throw .outOfMemory(during: "calling \(hook)") }
        temblor_lua_push_cfunction(state, temblor_lua_call_hook)
        lua_pushinteger(state, lua_Integer(hook.rawValue))
        for argument in arguments { try lua.push(argument) }
        try protectedCall(arguments: Int32(arguments.count) + 1, results: 2, during: hook.description)
        return lua_type(state, -2) == LUA_TNIL ? .null : try lua.value(at: -2)
    }

    /// Calls `on_event(ctx, event, meta)` and returns what it returned.
    public func deliver(_ payload: Value, meta: Value) throws(LuaError) -> LuaEventResult {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        try callOnEvent(payload, meta: meta)
        var result = LuaEventResult()
        if lua_type(state, -2) != LUA_TNIL { result.value = try lua.value(at: -2) }
        if lua_type(state, -1) == LUA_TSTRING, case .string(let port) = try lua.value(at: -1) { result.port = port }
        return result
    }

    /// As `deliver(_:meta:)`, for a pipeline operator: also returns `meta` as the script left
    /// it, so that its changes are kept. A script whose `on_event` does not take `meta` cannot
    /// change it: it gets the plain call, and `result.meta` stays `nil`.
    public func deliverKeepingMeta(_ payload: Value, meta: Value) throws(LuaError) -> LuaEventResult {
        guard host.pointee.on_event_takes_meta != 0 else { return try deliver(payload, meta: meta) }
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        try callOnEvent(payload, meta: meta, through: temblor_lua_deliver_keeping_meta, results: 3)
        var result = LuaEventResult()
        if lua_type(state, -2) != LUA_TNIL { result.value = try lua.value(at: -2) }
        if lua_type(state, -1) == LUA_TSTRING, case .string(let port) = try lua.value(at: -1) { result.port = port }
        result.meta = try lua.value(at: -3)
        return result
    }

    /// One `on_event` call through the Value bridge by `function` (a C function of CLua/host.h
    /// taking the two tapes), leaving its `results` on the stack.
    private func callOnEvent(
        _ payload: Value, meta: Value, through function: lua_CFunction = temblor_lua_deliver, results: Int32 = 2
    ) throws(LuaError) {
        let state = lua.state
        payloadTape.removeAll()
        payloadTape.append(payload)
        flattenMeta(host.pointee.on_event_takes_meta != 0 ? meta : .null)
        guard lua_checkstack(state, 8) != 0 else { throw .outOfMemory(during: "calling on_event") }
        temblor_lua_push_cfunction(state, function)
        let status: Int32 = payloadTape.withPointers { items, strings in
            metaTape.withPointers { metaItems, metaStrings in
                lua_pushlightuserdata(state, items)
                lua_pushlightuserdata(state, strings)
                lua_pushlightuserdata(state, metaItems)
                lua_pushlightuserdata(state, metaStrings)
                return armedCall(arguments: 4, results: results)
            }
        }
        guard status == LUA_OK else { throw lua.error(status: status, during: "on_event") }
    }

    /// Calls `on_event` for the events of `events` from `start` on, as a sink does (what it
    /// returns is not read), stopping at the first call that fails: returns where it stopped
    /// (`events.count` once all were handled) and why; what a failed call emitted is dropped.
    /// Payloads still in their JSON text (`Event.payloadIsJSONText`) are decoded straight into
    /// Lua tables; other payloads go through the Value bridge. One host call per batch.
    public func deliver(_ events: [Event], from start: Int) -> (next: Int, failure: LuaError?) {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        let takesMeta = host.pointee.on_event_takes_meta != 0
        return events.withUnsafeBufferPointer { events in
            for index in start..<events.count {
                let mark = emissions.count
                let failure: LuaError?
                if events[index].payloadIsJSONText, case .bytes(let text) = events[index].payload {
                    flattenMeta(takesMeta ? events[index].meta : .null)
                    failure = call(onJSON: text, takesMeta: takesMeta)
                } else {
                    do throws(LuaError) {
                        try callOnEvent(events[index].payload, meta: events[index].meta)
                        lua_settop(state, top)
                        failure = nil
                    } catch {
                        failure = error
                    }
                }
                if let failure {
                    if emissions.count > mark { emissions.removeSubrange(mark...) }
                    return (index, failure)
                }
            }
            return (events.count, nil)
        }
    }

    /// One `on_event` call with the event decoded from `text`, the metadata already in `metaTape`.
    private func call(onJSON text: [UInt8], takesMeta: Bool) -> LuaError? {
        let state = lua.state
        // Bytes allocated past the text (the `binary` codec's `padding`) let simdjson read in place.
        let padded = text.capacity >= text.count + LuaState.jsonPadding
        return metaTape.withPointers { items, strings in
            var reference = temblor_lua_tape_ref(
                items: takesMeta ? UnsafePointer(items.assumingMemoryBound(to: temblor_lua_item.self)) : nil,
                strings: UnsafePointer(strings.assumingMemoryBound(to: CChar.self)))
            return withUnsafeMutablePointer(to: &reference) { context in
                text.withUnsafeBytes { bytes in
                    var request = temblor_lua_json_request(
                        bytes: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), length: bytes.count,
                        padded: padded ? 1 : 0,
                        function: nil, then: temblor_lua_deliver_decoded, context: UnsafeMutableRawPointer(context), json_error: 0)
                    temblor_lua_set_instruction_limit(state, Int32(clamping: limits.instructions))
                    watch.begin(state)
                    let failure = lua.runJSON(&request, instructionLimit: 0, during: "on_event")
                    watch.end()
                    temblor_lua_set_instruction_limit(state, 0)
                    return failure
                }
            }
        }
    }

    func flattenMeta(_ meta: Value) {
        if let metaInTape, metaInTape == meta { return }
        metaTape.removeAll()
        metaTape.append(meta)
        metaInTape = meta
    }

    /// Makes the coroutine that runs `source(ctx)`; `resumeSource` runs it.
    public func startSource() throws(LuaError) {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        temblor_lua_push_cfunction(state, temblor_lua_start_source)
        guard temblor_lua_pcall(state, 0, 1, 0) == LUA_OK, let thread = lua_tothread(state, -1) else {
            throw .outOfMemory(during: "starting the source coroutine")
        }
        source = thread
        hostThreads.insert(thread)
    }

    /// Runs the source coroutine until it emits a batch, sleeps, waits on host I/O, returns or
    /// fails.
    public func resumeSource() -> LuaSourceStep {
        guard let thread = source else { return .finished }
        // The first resume passes ctx (already on the coroutine's stack after `source`).
        let arguments: Int32 = lua_status(thread) == LUA_OK && lua_gettop(thread) == 2 ? 1 : 0
        return resumeSource(thread, arguments: arguments)
    }

    /// Resumes the source coroutine after the host I/O call it waited on, with its results.
    public func resumeSource(with result: LuaIOResult) -> LuaSourceStep {
        guard let thread = source else { return .finished }
        setIOResult(result)
        return resumeSource(thread, arguments: 0)
    }

    private func resumeSource(_ thread: OpaquePointer, arguments: Int32) -> LuaSourceStep {
        let (status, results) = armedResume(thread, arguments: arguments)
        switch status {
        case LUA_YIELD:
            temblor_lua_pop(thread, results)
            if let request = pendingIO {
                pendingIO = nil
                return .waiting(request)
            }
            if let milliseconds = sleepRequest { return .sleep(milliseconds: milliseconds) }
            return .emitted
        case LUA_OK:
            endSource()
            return .finished
        default:
            let error = lua.error(status: status, during: "source", on: thread)
            endSource()
            return .failed(error)
        }
    }

    private func endSource() {
        if let source { hostThreads.remove(source) }
        source = nil
        temblor_lua_push_cfunction(lua.state, temblor_lua_end_source)
        if temblor_lua_pcall(lua.state, 0, 0, 0) != LUA_OK { temblor_lua_pop(lua.state, 1) }
    }

    /// Calls the function registered with `ctx:every` under `id`.
    public func fireTimer(_ id: Int) throws(LuaError) {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        temblor_lua_push_cfunction(state, temblor_lua_fire_timer)
        lua_pushinteger(state, lua_Integer(id))
        try protectedCall(arguments: 1, results: 0, during: "a ctx:every function")
    }

    /// Makes `state` (a table's value: an object or an array) the plugin's `ctx.state`, as
    /// `on_reload` asks by returning it.
    public func setState(_ state: Value) throws(LuaError) {
        let lua = self.lua.state
        let top = lua_gettop(lua)
        defer { lua_settop(lua, top) }
        guard lua_checkstack(lua, 4) != 0 else { throw .outOfMemory(during: "setting ctx.state") }
        temblor_lua_push_cfunction(lua, temblor_lua_set_ctx_state)
        try self.lua.push(state)
        guard lua_type(lua, -1) == LUA_TTABLE else { throw .runtime("ctx.state must be a table, not \(state.typeName)") }
        guard temblor_lua_pcall(lua, 1, 0, 0) == LUA_OK else { throw .outOfMemory(during: "setting ctx.state") }
    }

    /// Keeps what `on_reload` returned as `ctx.state` when it is a table; anything else (nothing,
    /// or a plugin without `on_reload`) leaves the state the new version was given.
    public func adoptReloaded(_ returned: Value) throws(LuaError) {
        switch returned {
        case .object, .array: try setState(returned)
        default: break
        }
    }

    /// A state as `on_reload` gets it: always a table of named fields (an empty state reads back
    /// as an empty array, and a fresh one as null).
    public static func stateTable(_ state: Value) -> Value {
        switch state {
        case .object: state
        case .array(let elements) where !elements.isEmpty: state
        default: .object(Object())
        }
    }

    /// `ctx.state` as a value, to carry into the next instance; `nil` when it holds something
    /// that has no value form (a function), which is logged.
    public func savedState() -> Value? {
        let state = lua.state
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        temblor_lua_push_cfunction(state, temblor_lua_get_ctx_state)
        guard temblor_lua_pcall(state, 0, 1, 0) == LUA_OK else { return nil }
        do {
            return try lua.value(at: -1)
        } catch {
            logger.warning("\(instance): ctx.state cannot be carried over: \(error)")
            return nil
        }
    }

    /// Resumes a coroutine the host drives with the limits armed, forgetting what its last
    /// pause asked for; returns lua_resume's status and result count.
    func armedResume(_ thread: OpaquePointer, arguments: Int32) -> (status: Int32, results: Int32) {
        sleepRequest = nil
        pendingIO = nil
        var results: Int32 = 0
        temblor_lua_set_instruction_limit(thread, Int32(clamping: limits.instructions))
        watch.begin(thread)
        let status = lua_resume(thread, lua.state, arguments, &results)
        watch.end()
        temblor_lua_set_instruction_limit(thread, 0)
        return (status, results)
    }

    /// Runs the C function and arguments on the stack with the limits armed, throwing Lua's error.
    private func protectedCall(arguments: Int32, results: Int32, during action: String) throws(LuaError) {
        let status = armedCall(arguments: arguments, results: results)
        guard status == LUA_OK else { throw lua.error(status: status, during: action) }
    }

    func armedCall(arguments: Int32, results: Int32) -> Int32 {
        let state = lua.state
        temblor_lua_set_instruction_limit(state, Int32(clamping: limits.instructions))
        watch.begin(state)
        let status = temblor_lua_pcall(state, arguments, results, 0)
        watch.end()
        temblor_lua_set_instruction_limit(state, 0)
        return status
    }
}
