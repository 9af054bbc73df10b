import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TemblorLua
import TemblorValue

extension LuaIOSession {
    /// One HTTP/1.1 exchange within one timeout, on a kept-alive connection to the same server
    /// when one is idle, else on a new one; over TLS for `https://`, checking the server's
    /// certificate names the URL's host.
    func http(_ request: LuaHTTPRequest) async -> LuaIOResult {
        let url: LuaURL
        switch LuaURL.parse(request.url) {
        case .success(let parsed): url = parsed
        case .failure(let failure): return .failure(failure.message)
        }
        let method = request.method.isEmpty ? "GET" : request.method.uppercased()
        guard method.utf8.allSatisfy(Self.isTokenByte) else { return .failure("bad HTTP method '\(request.method)'") }
        var headers = HTTPHeaders()
        var hostGiven = false
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(Self.isTokenByte) else { return .failure("bad HTTP header name '\(name)'") }
            guard !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
                return .failure("the value of HTTP header '\(name)' holds a line break")
            }
            switch name.lowercased() {
            // The host sets these: the body's length and whether the connection is kept.
            case "content-length", "transfer-encoding", "connection": continue
            case "host": hostGiven = true
            default: break
            }
            headers.add(name: name, value: value)
        }
        if !hostGiven { headers.replaceOrAdd(name: "Host", value: url.hostHeader) }
        if let body = request.body { headers.add(name: "Content-Length", value: String(body.count)) }

        let ip: String
        switch await checkNet(host: url.host, port: url.port) {
        case .success(let checked): ip = checked
        case .failure(let failure): return .failure(failure.message)
        }
        guard let address = try? SocketAddress(ipAddress: ip, port: url.port) else { return .failure("cannot use the address \(ip)") }
        guard !closed else { return .failure("closed") }
        var tlsContext: NIOSSLContext?
        if url.secure {
            switch tls {
            case .success(let context): tlsContext = context
            case .failure(let failure): return .failure(failure.message)
            }
        }
        let serverName = TLSSettings.serverName(for: url.host)

        let timeoutMs = request.timeoutMs ?? limits.ioTimeoutMs
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: url.target, headers: headers)
        let key = "\(url.secure ? "https" : "http")://\(url.host)@\(address)"
        // A kept-alive connection the server closed meanwhile fails before any answer: the
        // request then goes once more, on a new connection.
        if let idle = takeIdleHTTP(key) {
            let waited = await exchange(head, body: request.body, on: .success(idle), timeoutMs: timeoutMs)
            if case .error(let error) = waited, "\(error)".contains("closed the connection before") {
                idle.channel.close(promise: nil)
            } else {
                return finish(waited, idle)
            }
        }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let limit = budget.capacity
        let limitDescription = budget.limitDescription
        let connected = ClientBootstrap(group: loop)
            .connectTimeout(.milliseconds(Int64(max(1, timeoutMs))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(LuaHTTPResponseCollector(limit: limit, limitDescription: limitDescription))
                }
            }
            .connect(to: address)
            .flatMapThrowing { channel in
                let collector = try channel.pipeline.syncOperations.handler(type: LuaHTTPResponseCollector.self)
                return LuaHTTPConnection(channel: channel, collector: NIOLoopBound(collector, eventLoop: channel.eventLoop), key: key)
            }
        let waited = await exchange(head, body: request.body, on: .future(connected), timeoutMs: timeoutMs)
        let connection = try? await connected.get()
        return finish(waited, connection)
    }

    /// Where an exchange runs: a connection at hand, or one being made.
    enum LuaHTTPConnectionSource {
        case success(LuaHTTPConnection)
        case future(EventLoopFuture<LuaHTTPConnection>)
    }

    /// Sends one request on `source`'s connection and waits (at most `timeoutMs`) for its response.
    private func exchange(_ head: HTTPRequestHead, body: [UInt8]?, on source: LuaHTTPConnectionSource, timeoutMs: Int) async -> LuaWaited<LuaHTTPResponse> {
        let loop: any EventLoop
        switch source {
        case .success(let connection): loop = connection.channel.eventLoop
        case .future(let future): loop = future.eventLoop
        }
        let done = loop.makePromise(of: LuaHTTPResponse.self)
        let id = track(done)
        defer { untrack(id) }
        let waited = await LuaWait.run(on: loop, timeoutMs: timeoutMs) { promise in
            done.futureResult.cascade(to: promise)
            let connection: EventLoopFuture<LuaHTTPConnection>
            switch source {
            case .success(let ready): connection = loop.makeSucceededFuture(ready)
            case .future(let future): connection = future
            }
            connection.whenComplete { result in
                switch result {
                case .failure(let error):
                    done.fail(error)
                case .success(let connection):
                    let channel = connection.channel
                    connection.collector.value.expect(done)
                    channel.write(HTTPClientRequestPart.head(head), promise: nil)
                    if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
                    // A failed write closes the connection; the collector then reports why
                    // (a TLS handshake refused, say), which the write's own error does not say.
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { _ in channel.close(promise: nil) }
                }
            }
        }
        switch waited {
        case .timeout: done.fail(LuaIOFailure("timeout"))
        case .cancelled: done.fail(LuaIOFailure("cancelled"))
        default: break
        }
        return waited
    }

    /// The script's result; the connection is kept for the next request to its server when the
    /// exchange ended cleanly and the server keeps it alive, else closed.
    private func finish(_ waited: LuaWaited<LuaHTTPResponse>, _ connection: LuaHTTPConnection?) -> LuaIOResult {
        switch waited {
        case .value(let response):
            if let connection {
                if response.keepAlive { giveBackHTTP(connection) } else { connection.channel.close(promise: nil) }
            }
            return .values(response.values)
        case .error(let error):
            connection?.channel.close(promise: nil)
            return .failure(LuaIOFailure.reason(error))
        case .timeout:
            connection?.channel.close(promise: nil)
            return .failure("timeout")
        case .cancelled:
            connection?.channel.close(promise: nil)
            return .failure("cancelled")
        }
    }

    /// How long a kept-alive connection may wait for the next request before it is closed.
    static let httpIdleTimeout: Duration = .seconds(30)
    /// Idle connections kept per server, at most.
    static let httpIdlePerServer = 4

    /// An idle connection to the server of `key` that is still open and fresh, if any.
    private func takeIdleHTTP(_ key: String) -> LuaHTTPConnection? {
        while var list = idleHTTP[key], let connection = list.popLast() {
            idleHTTP[key] = list.isEmpty ? nil : list
            if connection.channel.isActive, ContinuousClock.now - connection.idleSince < Self.httpIdleTimeout { return connection }
            connection.channel.close(promise: nil)
        }
        return nil
    }

    private func giveBackHTTP(_ connection: LuaHTTPConnection) {
        guard !closed, connection.channel.isActive, (idleHTTP[connection.key]?.count ?? 0) < Self.httpIdlePerServer else {
            connection.channel.close(promise: nil)
            return
        }
        var kept = connection
        kept.idleSince = .now
        idleHTTP[connection.key, default: []].append(kept)
    }

    /// RFC 9110 token characters, for methods and header names.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
