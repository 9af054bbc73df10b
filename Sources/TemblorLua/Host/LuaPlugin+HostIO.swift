// Invariants of this file: it runs inside `LuaPlugin.dispatch` for `TEMBLOR_OP_IO` (the C
// function `temblor_lua_host_io`, CLua/host.h), so it only reads the Lua stack and never
// pushes. Results go to the C side as a bridge tape in memory this plugin owns: the tape stays
// valid until the next host I/O call or the plugin's end, and the C side pushes it either at
// once (an answer that needs no waiting) or from the yield's continuation, after the owner
// resumed the coroutine.
#if canImport(Glibc)
import Glibc
#endif
import CLua
import Logging
import TemblorValue

extension LuaPlugin {
    /// Reads the call, answers what needs no waiting (a denial, a close, the clock), and
    /// otherwise leaves the request for the owner and asks the trampoline to yield.
    func handleIO(_ reader: LuaStackReader, thread: OpaquePointer) throws(HostCallError) -> Int32 {
        let request: LuaIORequest
        switch try ioRequest(reader) {
        case .answer(let result):
            setIOResult(result)
            return Int32(TEMBLOR_HOST_RETURN)
        case .request(let made):
            request = made
        }
        if let (kind, target) = request.capability, !capabilities.grantsAny(kind) {
            return answer(deny(kind, target))
        }
        guard hostThreads.contains(thread), lua_isyieldable(thread) != 0 else {
            return answer(.failure(
                "host I/O cannot wait here: call it from source, a hook, on_event or a ctx:every function, not from a coroutine of the script's own or a function called by string.gsub or table.sort"))
        }
        pendingIO = request
        return Int32(TEMBLOR_HOST_YIELD)
    }

    /// Logs and counts a call the flow did not grant, and says what to grant.
    func deny(_ kind: LuaCapabilities.Kind, _ target: String) -> LuaIOResult {
        .failure(LuaCapabilities.recordDenial(kind, of: target, connector: instance, logger: logger, metrics: metrics))
    }

    private func answer(_ result: LuaIOResult) -> Int32 {
        setIOResult(result)
        return Int32(TEMBLOR_HOST_RETURN)
    }

    private enum Parsed {
        case answer(LuaIOResult)
        case request(LuaIORequest)
    }

    private func ioRequest(_ reader: LuaStackReader) throws(HostCallError) -> Parsed {
        guard let name = reader.bytes(at: 1).flatMap({ String(validating: $0, as: UTF8.self) }) else {
            throw HostCallError("host I/O needs the call's name")
        }
        func string(_ index: Int32, _ what: String) throws(HostCallError) -> String {
            guard lua_type(reader.state, index) == LUA_TSTRING, let bytes = reader.bytes(at: index),
                  let text = String(validating: bytes, as: UTF8.self)
            else { throw HostCallError("\(name): \(what) must be a string") }
            return text
        }
        func data(_ index: Int32) throws(HostCallError) -> [UInt8] {
            guard let bytes = reader.bytes(at: index) else { throw HostCallError("\(name): expects a string or temblor.bytes") }
            return bytes
        }
        func integer(_ index: Int32, _ what: String) throws(HostCallError) -> Int {
            var isInteger: Int32 = 0
            let value = lua_tointegerx(reader.state, index, &isInteger)
            guard isInteger != 0, lua_type(reader.state, index) == LUA_TNUMBER else { throw HostCallError("\(name): \(what) must be an integer") }
            return Int(value)
        }
        func optionalInteger(_ index: Int32, _ what: String) throws(HostCallError) -> Int? {
            let type = lua_type(reader.state, index)
            return type == LUA_TNIL || type == LUA_TNONE ? nil : try integer(index, what)
        }
        switch name {
        case "now":
            return .answer(.values([.float(clock.milliseconds)]))
        case "close":
            closedHandles.append(try integer(2, "the handle"))
            return .answer(.values([.bool(true)]))
        case "tcp.connect":
            return .request(.tcpConnect(
                host: try string(2, "the host"), port: try integer(3, "the port"), timeoutMs: try optionalInteger(4, "timeout_ms"),
                tls: lua_toboolean(reader.state, 5) != 0))
        case "tcp.send":
            return .request(.tcpSend(handle: try integer(2, "the socket"), bytes: try data(3), timeoutMs: try optionalInteger(4, "timeout_ms")))
        case "tcp.receive":
            let pattern: LuaIORequest.ReceivePattern
            if lua_type(reader.state, 3) == LUA_TNUMBER {
                pattern = .count(try integer(3, "the byte count"))
            } else {
                pattern = try string(3, "the pattern") == "*a" ? .all : .line
            }
            return .request(.tcpReceive(handle: try integer(2, "the socket"), pattern: pattern, timeoutMs: try optionalInteger(4, "timeout_ms")))
        case "tcp.receive_until":
            return .request(.tcpReceive(
                handle: try integer(2, "the socket"), pattern: .delimiter(try data(3)), timeoutMs: try optionalInteger(4, "timeout_ms")))
        case "udp.open":
            return .request(.udpOpen)
        case "udp.bind":
            return .request(.udpBind(host: try string(2, "the host"), port: try integer(3, "the port")))
        case "udp.sendto":
            return .request(.udpSendTo(
                handle: try integer(2, "the socket"), bytes: try data(3), host: try string(4, "the host"), port: try integer(5, "the port"),
                timeoutMs: try optionalInteger(6, "timeout_ms")))
        case "udp.receivefrom":
            return .request(.udpReceiveFrom(handle: try integer(2, "the socket"), timeoutMs: try optionalInteger(3, "timeout_ms")))
        case "http.request":
            var headers: [(name: String, value: String)] = []
            if lua_type(reader.state, 4) == LUA_TTABLE {
                let value: Value
                do { value = try reader.value(at: 4) } catch { throw HostCallError("\(name): headers: \(error)") }
                if case .object(let object) = value {
                    for (key, entry) in object {
                        switch entry {
                        case .string(let s): headers.append((key, s))
                        case .int, .float, .bool: headers.append((key, "\(entry)"))
                        default: throw HostCallError("\(name): header \(key) must be a string")
                        }
                    }
                } else if case .array(let elements) = value, !elements.isEmpty {
                    throw HostCallError("\(name): headers must be a table of names to values")
                }
            }
            let body = lua_type(reader.state, 5) == LUA_TNIL || lua_type(reader.state, 5) == LUA_TNONE ? nil : try data(5)
            return .request(.httpRequest(LuaHTTPRequest(
                method: try string(2, "the method"), url: try string(3, "the url"), headers: headers, body: body,
                timeoutMs: try optionalInteger(6, "timeout_ms"))))
        case "fs.read":
            return .request(.fsRead(path: try string(2, "the path")))
        case "fs.write", "fs.append":
            return .request(.fsWrite(path: try string(2, "the path"), bytes: try data(3), append: name == "fs.append"))
        case "fs.list":
            return .request(.fsList(path: try string(2, "the path")))
        case "fs.lines":
            return .request(.fsOpenLines(path: try string(2, "the path")))
        case "fs.next_line":
            return .request(.fsNextLine(handle: try integer(2, "the reader")))
        default:
            throw HostCallError("unknown host I/O call \(name)")
        }
    }

    /// Leaves `result` where the C side pushes it from, as an array of the results.
    func setIOResult(_ result: LuaIOResult) {
        releaseIOResult()
        var tape = LuaTape()
        switch result {
        case .values(let values): tape.append(.array(values))
        case .failure(let message): tape.append(.array([.null, .string(message)]))
        }
        let itemCount = tape.items.count
        let stringCount = tape.strings.count + 1  // withPointers ends the buffer with a 0
        let copied = tape.withPointers { items, strings -> (UnsafeMutableBufferPointer<temblor_lua_item>, UnsafeMutableRawBufferPointer) in
            let itemCopy = UnsafeMutableBufferPointer<temblor_lua_item>.allocate(capacity: itemCount)
            _ = itemCopy.initialize(from: UnsafeBufferPointer(start: items.assumingMemoryBound(to: temblor_lua_item.self), count: itemCount))
            let stringCopy = UnsafeMutableRawBufferPointer.allocate(byteCount: stringCount, alignment: 1)
            stringCopy.copyMemory(from: UnsafeRawBufferPointer(start: strings, count: stringCount))
            return (itemCopy, stringCopy)
        }
        ioResult = copied
        host.pointee.io_items = UnsafePointer(copied.0.baseAddress)
        host.pointee.io_strings = UnsafePointer(copied.1.baseAddress?.assumingMemoryBound(to: CChar.self))
    }

    func releaseIOResult() {
        guard let ioResult else { return }
        ioResult.items.deallocate()
        ioResult.strings.deallocate()
        self.ioResult = nil
    }
}
