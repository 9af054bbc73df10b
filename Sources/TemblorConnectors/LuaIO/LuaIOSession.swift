import Logging
import NIOCore
import NIOPosix
import NIOSSL
import TemblorLua
import TemblorValue

/// The host I/O of one plugin state: performs its calls, each checked against the connector's
/// grants and limits, and owns the sockets and files it opened (handles from 1 upward), so
/// that `close()` leaves nothing behind. An actor: calls of several coroutines may overlap
/// while they wait, and each one's bookkeeping stays consistent.
public actor LuaIOSession: LuaHostIO {
    let connector: String
    let capabilities: LuaCapabilities
    let limits: LuaLimits
    let logger: Logger
    /// What https trusts (the system's store unless the connector's `config.tls` says), or why
    /// the connector's `tls` cannot be used.
    let tls: Result<NIOSSLContext, LuaIOFailure>
    /// What the state's sockets hold received and not yet read.
    let budget: LuaIOBudget

    private var resources: [Int: LuaIOResource] = [:]
    private var nextHandle = 1
    /// Sockets and line readers open or being opened.
    private var sockets = 0
    private var files = 0
    private(set) var closed = false
    /// The addresses of granted host names, looked up once.
    var grantAddresses: [String: [String]] = [:]
    /// HTTP requests in flight, failed (and so their connections closed) by `close()`.
    private var requests: [UInt64: EventLoopPromise<LuaHTTPResponse>] = [:]
    /// Kept-alive HTTP connections waiting for the next request to their server, by server.
    var idleHTTP: [String: [LuaHTTPConnection]] = [:]
    private var nextRequest: UInt64 = 0

    /// A session for the plugin state of `connector`; denied calls are logged to `logger`.
    public init(connector: String, capabilities: LuaCapabilities, limits: LuaLimits, tls: Value? = nil, logger: Logger) {
        self.tls = Self.tlsContext(tls, directory: capabilities.directory)
        self.connector = connector
        self.capabilities = capabilities
        self.limits = limits
        self.logger = logger
        self.budget = LuaIOBudget(capacity: limits.ioBuffer)
    }

    /// A state dropped without `close()` still leaves no socket open.
    deinit {
        for resource in resources.values {
            switch resource {
            case .tcp(let socket): socket.channel.close(promise: nil)
            case .udp(let socket): socket.channel.close(promise: nil)
            case .lines(let reader): reader.close()
            }
        }
        for promise in requests.values { promise.fail(LuaIOFailure("closed")) }
    }

    /// Performs one call; every failure is a result, never a thrown error.
    public func perform(_ request: LuaIORequest) async -> LuaIOResult {
        guard !closed else { return .failure("closed") }
        guard !Task.isCancelled else { return .failure("cancelled") }
        switch request {
        case .tcpConnect(let host, let port, let timeoutMs, let tls):
            return await tcpConnect(host: host, port: port, timeoutMs: timeoutMs ?? limits.ioTimeoutMs, tls: tls)
        case .tcpSend(let handle, let bytes, let timeoutMs):
            return await tcpSend(handle: handle, bytes: bytes, timeoutMs: timeoutMs ?? limits.ioTimeoutMs)
        case .tcpReceive(let handle, let pattern, let timeoutMs):
            return await tcpReceive(handle: handle, pattern: pattern, timeoutMs: timeoutMs ?? limits.ioTimeoutMs)
        case .udpOpen:
            return await udpOpen(host: nil, port: 0)
        case .udpBind(let host, let port):
            return await udpOpen(host: host, port: port)
        case .udpSendTo(let handle, let bytes, let host, let port, let timeoutMs):
            return await udpSendTo(handle: handle, bytes: bytes, host: host, port: port, timeoutMs: timeoutMs ?? limits.ioTimeoutMs)
        case .udpReceiveFrom(let handle, let timeoutMs):
            return await udpReceiveFrom(handle: handle, timeoutMs: timeoutMs ?? limits.ioTimeoutMs)
        case .close(let handle):
            await close(handle: handle)
            return .values([])
        case .httpRequest(let request):
            return await http(request)
        case .fsRead(let path):
            return await fsRead(path)
        case .fsWrite(let path, let bytes, let append):
            return await fsWrite(path, bytes, append: append)
        case .fsList(let path):
            return await fsList(path)
        case .fsOpenLines(let path):
            return await fsOpenLines(path)
        case .fsNextLine(let handle):
            return await fsNextLine(handle)
        case .sleep(let milliseconds):
            do {
                try await Task.sleep(for: .milliseconds(max(0, milliseconds)))
                return .values([])
            } catch {
                return .failure("cancelled")
            }
        }
    }

    /// Closes every socket, file and request of the state; later calls fail with "closed".
    public func close() async {
        closed = true
        for connection in idleHTTP.values.joined() { connection.channel.close(promise: nil) }
        idleHTTP = [:]
        for promise in requests.values { promise.fail(LuaIOFailure("closed")) }
        requests = [:]
        for handle in Array(resources.keys) { await close(handle: handle) }
    }

    // MARK: Handles and limits

    func resource(_ handle: Int) -> LuaIOResource? { resources[handle] }

    /// Gives `resource`, whose slot was reserved, a handle.
    func add(_ resource: LuaIOResource) -> Int {
        defer { nextHandle += 1 }
        resources[nextHandle] = resource
        return nextHandle
    }

    /// Takes a socket slot, or says that the limit is reached.
    func reserveSocket() -> LuaIOFailure? {
        guard sockets < limits.sockets else {
            return LuaIOFailure("too many open sockets (limits.sockets is \(limits.sockets)); close the ones you no longer use")
        }
        sockets += 1
        return nil
    }

    func releaseSocket() { sockets -= 1 }

    /// Takes a file slot, or says that the limit is reached.
    func reserveFile() -> LuaIOFailure? {
        guard files < limits.files else {
            return LuaIOFailure("too many open files (limits.files is \(limits.files)); read the others to their end or close them")
        }
        files += 1
        return nil
    }

    func releaseFile() { files -= 1 }

    /// Closes what `handle` names, if anything, and frees its slot.
    func close(handle: Int) async {
        guard let resource = resources.removeValue(forKey: handle) else { return }
        switch resource {
        case .tcp(let socket):
            releaseSocket()
            let handler = socket.handler
            try? await socket.channel.eventLoop.submit { handler.value.discard() }.get()
            try? await socket.channel.close().get()
        case .udp(let socket):
            releaseSocket()
            let handler = socket.handler
            try? await socket.channel.eventLoop.submit { handler.value.discard() }.get()
            try? await socket.channel.close().get()
        case .lines(let reader):
            releaseFile()
            reader.close()
        }
    }

    /// Registers an HTTP request in flight; `close()` fails it.
    func track(_ promise: EventLoopPromise<LuaHTTPResponse>) -> UInt64 {
        nextRequest += 1
        requests[nextRequest] = promise
        return nextRequest
    }

    func untrack(_ id: UInt64) { requests[id] = nil }

    // MARK: Denials

    /// Logs and counts a denied call; the message says what to grant.
    func deny(_ capability: LuaCapabilities.Kind, _ target: String) -> LuaIOFailure {
        LuaIOFailure(LuaCapabilities.recordDenial(capability, of: target, connector: connector, logger: logger))
    }

    /// Runs blocking work (resolver, files) on the shared thread pool.
    nonisolated func offload<T: Sendable>(_ body: @escaping @Sendable () throws(LuaIOFailure) -> T) async -> Result<T, LuaIOFailure> {
        do {
            return .success(try await NIOThreadPool.singleton.runIfActive { try body() })
        } catch let failure as LuaIOFailure {
            return .failure(failure)
        } catch {
            return .failure(LuaIOFailure(Task.isCancelled ? "cancelled" : LuaIOFailure.reason(error)))
        }
    }
}
