import TemblorLua
import TemblorValue

extension PluginUnderTest {
    /// Answers one host I/O call of the plugin: a pause moves the fake clock, a stubbed kind
    /// goes to the test's fake world (checked against `allow` when the test gave one), any
    /// other call is real I/O through the host's own sessions.
    func perform(_ request: LuaIORequest) -> LuaIOResult {
        if case .sleep(let milliseconds) = request {
            clock.move(to: clock.milliseconds + Double(milliseconds))
            return .values([])
        }
        if isStubbed(request) {
            if spec.checksGrants, let (kind, target) = request.capability, let denial = denial(kind, target) { return denial }
            return askWorld(request)
        }
        if case .close(let handle) = request, handle >= Self.firstStubHandle { return .values([.bool(true)]) }
        guard let provider else { return .failure("no stub answers \(request.kindName) calls: stub them with p:mock_\(request.kindName)") }
        let session = self.session ?? provider.session(
            connector: spec.instanceName, capabilities: spec.capabilities, limits: spec.limits, config: spec.config, logger: logger)
        self.session = session
        return BlockingIO.perform(request, on: session)
    }

    private func isStubbed(_ request: LuaIORequest) -> Bool {
        switch request {
        case .close(let handle), .tcpSend(let handle, _, _), .tcpReceive(let handle, _, _), .udpSendTo(let handle, _, _, _, _),
            .udpReceiveFrom(let handle, _), .fsNextLine(let handle):
            return handle >= Self.firstStubHandle
        default:
            return stubbed.contains(request.kindName)
        }
    }

    /// A stubbed call the test's `allow` does not grant, matched by name (no lookup).
    private func denial(_ kind: LuaCapabilities.Kind, _ target: String) -> LuaIOResult? {
        let capabilities = spec.capabilities
        let granted: Bool
        switch kind {
        case .net:
            let (host, port) = Self.split(target)
            granted = capabilities.net.contains { grant in
                (grant.port == nil || grant.port == port) && (grant.host == nil || grant.host?.lowercased() == host.lowercased()
                    || (Self.loopback.contains(grant.host?.lowercased() ?? "") && Self.loopback.contains(host.lowercased())))
            } || (target == "a UDP socket" && capabilities.grantsAny(.net))
        case .read, .write:
            let path = Self.normalized(LuaCapabilities.absolute(target, in: capabilities.directory))
            let roots = kind == .write ? capabilities.write : capabilities.read + capabilities.write
            granted = roots.contains { root in
                let root = Self.normalized(root)
                return path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
            }
        }
        if granted { return nil }
        return .failure(LuaCapabilities.recordDenial(kind, of: target, connector: spec.instanceName, logger: logger))
    }

    static let loopback: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]

    static func split(_ target: String) -> (String, Int?) {
        guard let colon = target.lastIndex(of: ":") else { return (target, nil) }
        var host = String(target[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, Int(target[target.index(after: colon)...]))
    }

    /// `path` with `.` and `..` components resolved (the fake world has no links).
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The fake world's answer: `{values}`, `{error}`, `{wait, error}` (nothing came within the
    /// timeout, which passes on the fake clock: see `waited`) or `{raise}` (the stub itself failed).
    private func askWorld(_ request: LuaIORequest) -> LuaIOResult {
        let answer: Value
        do throws(LuaError) {
            answer = try world(request.worldRequest(defaultTimeoutMs: spec.limits.ioTimeoutMs))
        } catch {
            stubFailure = stubFailure ?? "\(error)"
            return .failure("the stub failed")
        }
        if let raised = answer["raise"]?.stringValue {
            stubFailure = stubFailure ?? raised
            return .failure("the stub failed")
        }
        if let wait = answer["wait"]?.intValue { waited = Double(wait) }
        if let message = answer["error"]?.stringValue { return .failure(message) }
        return .values(answer["values"]?.arrayValue ?? [])
    }
}

extension LuaIORequest {
    /// The stub that answers the call: `http`, `tcp`, `udp` or `fs`.
    var kindName: String {
        switch self {
        case .tcpConnect, .tcpSend, .tcpReceive: "tcp"
        case .udpOpen, .udpBind, .udpSendTo, .udpReceiveFrom: "udp"
        case .httpRequest: "http"
        case .fsRead, .fsWrite, .fsList, .fsOpenLines, .fsNextLine: "fs"
        case .close, .sleep: "io"
        }
    }

    /// The call as the fake world reads it (`lua/temblor/test.lua`), with the deadline it has.
    func worldRequest(defaultTimeoutMs: Int) -> Value {
        func text(_ bytes: [UInt8]) -> Value {
            String(validating: bytes, as: UTF8.self).map(Value.string) ?? .bytes(bytes)
        }
        func deadline(_ ms: Int?) -> Value { .int(Int64(ms ?? defaultTimeoutMs)) }
        switch self {
        case .tcpConnect(let host, let port, let timeoutMs, let tls):
            return ["call": "tcp.connect", "host": .string(host), "port": .int(Int64(port)), "tls": .bool(tls), "timeout_ms": deadline(timeoutMs)]
        case .tcpSend(let handle, let bytes, let timeoutMs):
            return ["call": "tcp.send", "handle": .int(Int64(handle)), "data": text(bytes), "timeout_ms": deadline(timeoutMs)]
        case .tcpReceive(let handle, let pattern, let timeoutMs):
            switch pattern {
            case .line: return ["call": "tcp.receive", "handle": .int(Int64(handle)), "pattern": "*l", "timeout_ms": deadline(timeoutMs)]
            case .all: return ["call": "tcp.receive", "handle": .int(Int64(handle)), "pattern": "*a", "timeout_ms": deadline(timeoutMs)]
            case .count(let count):
                return ["call": "tcp.receive", "handle": .int(Int64(handle)), "pattern": .int(Int64(count)), "timeout_ms": deadline(timeoutMs)]
            case .delimiter(let delimiter):
                return ["call": "tcp.receive_until", "handle": .int(Int64(handle)), "delimiter": text(delimiter), "timeout_ms": deadline(timeoutMs)]
            }
        case .udpOpen:
            return ["call": "udp.open"]
        case .udpBind(let host, let port):
            return ["call": "udp.bind", "host": .string(host), "port": .int(Int64(port))]
        case .udpSendTo(let handle, let bytes, let host, let port, let timeoutMs):
            return [
                "call": "udp.sendto", "handle": .int(Int64(handle)), "data": text(bytes), "host": .string(host), "port": .int(Int64(port)),
                "timeout_ms": deadline(timeoutMs),
            ]
        case .udpReceiveFrom(let handle, let timeoutMs):
            return ["call": "udp.receivefrom", "handle": .int(Int64(handle)), "timeout_ms": deadline(timeoutMs)]
        case .close(let handle):
            return ["call": "close", "handle": .int(Int64(handle))]
        case .httpRequest(let request):
            var headers = Object()
            for (name, value) in request.headers { headers[name] = .string(value) }
            return [
                "call": "http.request", "method": .string(request.method), "url": .string(request.url), "headers": .object(headers),
                "body": request.body.map(text) ?? "", "timeout_ms": deadline(request.timeoutMs),
            ]
        case .fsRead(let path):
            return ["call": "fs.read", "path": .string(path)]
        case .fsWrite(let path, let bytes, let append):
            return ["call": "fs.write", "path": .string(path), "data": text(bytes), "append": .bool(append)]
        case .fsList(let path):
            return ["call": "fs.list", "path": .string(path)]
        case .fsOpenLines(let path):
            return ["call": "fs.lines", "path": .string(path)]
        case .fsNextLine(let handle):
            return ["call": "fs.next_line", "handle": .int(Int64(handle))]
        case .sleep(let milliseconds):
            return ["call": "sleep", "ms": .int(Int64(milliseconds))]
        }
    }
}
