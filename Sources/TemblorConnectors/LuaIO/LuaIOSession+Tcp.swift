import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import TemblorLua
import TemblorValue

extension LuaIOSession {
    func tcpConnect(host: String, port: Int, timeoutMs: Int, tls: Bool = false) async -> LuaIOResult {
        let address: SocketAddress
        switch await grantedAddress(host: host, port: port) {
        case .success(let granted): address = granted
        case .failure(let failure): return .failure(failure.message)
        }
        var tlsContext: NIOSSLContext?
        if tls {
            switch self.tls {
            case .success(let context): tlsContext = context
            case .failure(let failure): return .failure(failure.message)
            }
        }
        let serverName = TLSSettings.serverName(for: host)
        if let failure = reserveSocket() { return .failure(failure.message) }
        let budget = budget
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        // The handler is kept from the initializer: a peer that closes at once has already
        // emptied the pipeline by the time the connect completes, and its bytes are in it.
        let installed = NIOLockedValueBox<NIOLoopBound<LuaStreamHandler>?>(nil)
        let handshakes = NIOLockedValueBox<EventLoopFuture<Void>?>(nil)
        let connected = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(Int64(max(1, timeoutMs))))
            .channelOption(.autoRead, value: false)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                        let done = channel.eventLoop.makePromise(of: Void.self)
                        try channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(done: done, drivesReads: true))
                        handshakes.withLockedValue { $0 = done.futureResult }
                    }
                    let handler = LuaStreamHandler(budget: budget)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    installed.withLockedValue { $0 = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
                }
            }
            .connect(to: address)
            .flatMap { channel in
                // With TLS, the socket is the script's once the handshake succeeded.
                let handshake = handshakes.withLockedValue { $0 } ?? channel.eventLoop.makeSucceededVoidFuture()
                return handshake.flatMapErrorThrowing { error in
                    channel.close(promise: nil)
                    throw error
                }.map { channel }
            }
            .flatMapThrowing { channel in
                guard let handler = installed.withLockedValue({ $0 }) else { throw LuaIOFailure("closed") }
                return LuaTcpSocket(channel: channel, handler: handler)
            }
        return await register(connected, timeoutMs: timeoutMs, channel: { $0.channel }, as: { .tcp($0) }, failure: LuaIOFailure.reason)
    }

    func tcpSend(handle: Int, bytes: [UInt8], timeoutMs: Int) async -> LuaIOResult {
        guard case .tcp(let socket) = resource(handle) else { return .failure("closed") }
        let channel = socket.channel
        let handler = socket.handler
        let sent = await LuaWait.run(on: channel.eventLoop, timeoutMs: timeoutMs) { (promise: EventLoopPromise<Int>) in
            guard !handler.value.ended, channel.isActive else {
                promise.fail(LuaIOFailure("closed"))
                return
            }
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).map { bytes.count }.cascade(to: promise)
        }
        return Self.result(sent) { .int(Int64($0)) }
    }

    func tcpReceive(handle: Int, pattern: LuaIORequest.ReceivePattern, timeoutMs: Int) async -> LuaIOResult {
        guard case .tcp(let socket) = resource(handle) else { return .failure("closed") }
        if case .count(let n) = pattern, n < 0 { return .failure("cannot receive a negative number of bytes") }
        let handler = socket.handler
        let received = await LuaWait.run(on: socket.channel.eventLoop, timeoutMs: timeoutMs) { promise in
            handler.value.receive(pattern, promise: promise)
        } abandon: { promise in
            handler.value.abandon(promise)
        }
        return Self.result(received) { .bytes($0) }
    }

    /// A wait's outcome as the script sees it.
    static func result<T>(_ waited: LuaWaited<T>, _ value: (T) -> Value) -> LuaIOResult {
        switch waited {
        case .value(let result): return .values([value(result)])
        case .error(let error): return .failure(LuaIOFailure.reason(error))
        case .timeout: return .failure("timeout")
        case .cancelled: return .failure("cancelled")
        }
    }
}
