import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import TemblorLua
import TemblorValue

extension LuaIOSession {
    /// One HTTP/1.1 exchange on its own connection (`Connection: close`), within one timeout;
    /// over TLS for `https://`, checking the server's certificate names the URL's host.
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
            // The host sets these: the body's length and one exchange per connection.
            case "content-length", "transfer-encoding", "connection": continue
            case "host": hostGiven = true
            default: break
            }
            headers.add(name: name, value: value)
        }
        if !hostGiven { headers.replaceOrAdd(name: "Host", value: url.hostHeader) }
        if let body = request.body { headers.add(name: "Content-Length", value: String(body.count)) }
        headers.add(name: "Connection", value: "close")

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
        // TLS names hosts, not addresses: an address in the URL is checked as an address.
        let serverName = (try? SocketAddress(ipAddress: url.host, port: 0)) == nil ? url.host : nil

        let timeoutMs = request.timeoutMs ?? limits.ioTimeoutMs
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: LuaHTTPResponse.self)
        let id = track(done)
        let limit = budget.capacity
        let limitDescription = budget.limitDescription
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: url.target, headers: headers)
        let body = request.body
        let waited = await LuaWait.run(on: loop, timeoutMs: timeoutMs) { promise in
            done.futureResult.cascade(to: promise)
            let connected = ClientBootstrap(group: loop)
                .connectTimeout(.milliseconds(Int64(max(1, timeoutMs))))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(
                            LuaHTTPResponseCollector(promise: done, limit: limit, limitDescription: limitDescription))
                    }
                }
                .connect(to: address)
            // However the exchange ends, its connection closes.
            done.futureResult.whenComplete { _ in connected.whenSuccess { $0.close(promise: nil) } }
            connected.whenComplete { result in
                switch result {
                case .failure(let error):
                    done.fail(error)
                case .success(let channel):
                    channel.write(HTTPClientRequestPart.head(head), promise: nil)
                    if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { done.fail($0) }
                }
            }
        }
        untrack(id)
        switch waited {
        case .value(let response):
            return .values(response.values)
        case .error(let error):
            return .failure(LuaIOFailure.reason(error))
        case .timeout:
            done.fail(LuaIOFailure("timeout"))
            return .failure("timeout")
        case .cancelled:
            done.fail(LuaIOFailure("cancelled"))
            return .failure("cancelled")
        }
    }

    /// RFC 9110 token characters, for methods and header names.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
