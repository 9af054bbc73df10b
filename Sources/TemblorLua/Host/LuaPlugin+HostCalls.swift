// Invariants of this file: `dispatch` is the only Swift code Lua calls. It runs inside the C
// trampoline `temblor_lua_ctx_method` (CLua/host.h), reads its arguments with LuaStackReader
// (reads only, never raises), never pushes onto the Lua stack, and reports an error by
// returning TEMBLOR_HOST_RAISE with the message in the host structure: the trampoline raises it
// after this returns, so no Lua error unwinds a Swift frame.
#if canImport(Glibc)
import Glibc
#endif
import CLua
import CoreMetrics
import Logging
import TemblorValue

extension LuaPlugin {
    /// The host structure's entry point for every ctx method.
    static let dispatch: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, Int32) -> Int32 = { owner, thread, op in
        guard let thread else { return Int32(TEMBLOR_HOST_RAISE) }
        guard let owner else {
            // The plugin is being unloaded: nothing may reach it any more.
            withUnsafeMutableBytes(of: &temblor_lua_get_host(thread).pointee.message) { buffer in
                let text = Array("the plugin is being unloaded".utf8)
                buffer.copyBytes(from: text)
                buffer[text.count] = 0
            }
            return Int32(TEMBLOR_HOST_RAISE)
        }
        let plugin = Unmanaged<LuaPlugin>.fromOpaque(owner).takeUnretainedValue()
        let reader = LuaStackReader(state: thread)
        do throws(HostCallError) {
            return try plugin.handle(op, reader: reader, thread: thread)
        } catch {
            plugin.setMessage(error.message)
            return Int32(TEMBLOR_HOST_RAISE)
        }
    }

    /// Why a ctx method refused its arguments; the trampoline raises it in the script.
    struct HostCallError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    private func handle(_ op: Int32, reader: LuaStackReader, thread: OpaquePointer) throws(HostCallError) -> Int32 {
        switch Int(op) {
        case TEMBLOR_OP_EMIT:
            let value = try argument(reader, 2, "the event")
            emissions.append(.value(value, meta: try meta(reader)))
            return afterEmit(thread)
        case TEMBLOR_OP_EMIT_RAW:
            let bytes: [UInt8]
            switch try argument(reader, 2, "the bytes") {
            case .bytes(let b): bytes = b
            case .string(let s): bytes = Array(s.utf8)
            case let other: throw HostCallError("expects a string or temblor.bytes, not \(other.typeName)")
            }
            emissions.append(.raw(bytes, meta: try meta(reader)))
            return afterEmit(thread)
        case TEMBLOR_OP_LOG:
            guard case .string(let name) = try argument(reader, 2, "the level"), let level = Self.levels[name] else {
                throw HostCallError("the level must be one of trace, debug, info, warn, error")
            }
            let message: String
            switch try argument(reader, 3, "the message") {
            case .string(let s): message = s
            case let other: message = "\(other)"
            }
            logger.log(level: level, "\(message)", metadata: ["plugin": "\(info.name)", "connector": "\(instance)"])
            return Int32(TEMBLOR_HOST_RETURN)
        case TEMBLOR_OP_SLEEP:
            let milliseconds = try duration(reader, minimum: 0)
            guard hostThreads.contains(thread), lua_isyieldable(thread) != 0 else {
                throw HostCallError(
                    "can only be called from the source function, or from the callbacks of a plugin granted host I/O, which the host resumes after the pause")
            }
            sleepRequest = milliseconds
            return Int32(TEMBLOR_HOST_YIELD)
        case TEMBLOR_OP_EVERY:
            let milliseconds = try duration(reader, minimum: 1)
            timers.append(LuaTimer(id: Int(host.pointee.argument), intervalMs: milliseconds))
            return Int32(TEMBLOR_HOST_RETURN)
        case TEMBLOR_OP_RUNNING:
            host.pointee.result_kind = Int32(TEMBLOR_RESULT_BOOLEAN)
            host.pointee.result_integer = isRunning ? 1 : 0
            return Int32(TEMBLOR_HOST_RETURN)
        case TEMBLOR_OP_NOW:
            host.pointee.result_kind = Int32(TEMBLOR_RESULT_INTEGER)
            host.pointee.result_integer = Int64(clock.milliseconds.rounded(.down))
            return Int32(TEMBLOR_HOST_RETURN)
        case TEMBLOR_OP_METRIC:
            guard case .string(let name) = try argument(reader, 2, "the name"), !name.isEmpty else {
                throw HostCallError("the name must be a non-empty string")
            }
            guard let number = try argument(reader, 3, "the value").doubleValue, number.isFinite else {
                throw HostCallError("the value must be a finite number")
            }
            gauge(name).record(number)
            return Int32(TEMBLOR_HOST_RETURN)
        case TEMBLOR_OP_IO:
            return try handleIO(reader, thread: thread)
        default:
            throw HostCallError("unknown host call")
        }
    }

    private static let levels: [String: Logger.Level] = [
        "trace": .trace, "debug": .debug, "info": .info, "warn": .warning, "warning": .warning, "error": .error,
    ]

    /// Batches leave the coroutine as soon as they are full, which is where backpressure applies;
    /// callbacks that cannot yield keep a bounded number.
    private func afterEmit(_ thread: OpaquePointer) -> Int32 {
        if thread == source, lua_isyieldable(thread) != 0 {
            return emissions.count >= emitBatch ? Int32(TEMBLOR_HOST_YIELD) : Int32(TEMBLOR_HOST_RETURN)
        }
        if emissions.count > Self.maxPendingEmissions {
            emissions.removeLast()
            setMessage("more than \(Self.maxPendingEmissions) events emitted in one callback; emit from the source function, which sends them as it goes")
            return Int32(TEMBLOR_HOST_RAISE)
        }
        return Int32(TEMBLOR_HOST_RETURN)
    }

    private func argument(_ reader: LuaStackReader, _ index: Int32, _ what: String) throws(HostCallError) -> Value {
        guard let state = Optional(reader.state), lua_type(state, index) != LUA_TNONE, lua_type(state, index) != LUA_TNIL else {
            throw HostCallError("\(what) is missing")
        }
        do {
            return try reader.value(at: index)
        } catch {
            throw HostCallError("\(what): \(error)")
        }
    }

    private func meta(_ reader: LuaStackReader) throws(HostCallError) -> Value {
        let type = lua_type(reader.state, 3)
        if type == LUA_TNONE || type == LUA_TNIL { return .null }
        guard type == LUA_TTABLE else { throw HostCallError("the metadata must be a table, not a \(String(cString: lua_typename(reader.state, type)))") }
        let value = try argument(reader, 3, "the metadata")
        if case .array(let elements) = value, elements.isEmpty { return .null }
        guard case .object = value else { throw HostCallError("the metadata must be a table of named fields") }
        return value
    }

    private func duration(_ reader: LuaStackReader, minimum: Int) throws(HostCallError) -> Int {
        guard lua_type(reader.state, 2) == LUA_TNUMBER, let ms = try argument(reader, 2, "the milliseconds").doubleValue,
              ms.isFinite, ms >= Double(minimum), ms <= 86_400_000
        else {
            throw HostCallError("the milliseconds must be a number from \(minimum) to 86400000")
        }
        return Int(ms)
    }

    private func gauge(_ name: String) -> Gauge {
        if let gauge = gauges[name] { return gauge }
        let gauge = Gauge(label: "temblor_plugin_metric", dimensions: [("connector", instance), ("name", name)], factory: metrics)
        gauges[name] = gauge
        return gauge
    }

    /// Leaves `message` for the trampoline to raise, cut to the structure's buffer.
    func setMessage(_ message: String) {
        withUnsafeMutableBytes(of: &host.pointee.message) { buffer in
            let bytes = Array(message.utf8.prefix(buffer.count - 1))
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
    }
}
