import NIOCore
import NIOPosix
import TemblorLua
import TemblorValue

extension LuaIOSession {
    /// `udp.open()` without `host` (an IPv4 socket on an ephemeral port, for sending), else
    /// `udp.bind(host, port)` after the `net` check.
    func udpOpen(host: String?, port: Int) async -> LuaIOResult {
        guard (0...65_535).contains(port) else { return .failure("the port must be a number from 0 to 65535, got \(port)") }
        var ip = "0.0.0.0"
        if let host {
            switch await checkNet(host: host, port: port) {
            case .success(let checked): ip = checked
            case .failure(let failure): return .failure(failure.message)
            }
        }
        guard let address = try? SocketAddress(ipAddress: ip, port: port) else { return .failure("cannot use the address \(ip)") }
        if let failure = reserveSocket() { return .failure(failure.message) }
        let budget = budget
        let bound = DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton.next())
            .channelOption(.autoRead, value: false)
            // Room for the largest datagram; the default buffer would truncate big ones.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(LuaDatagramHandler(budget: budget)) }
            }
            .bind(to: address)
            .flatMapThrowing { channel in
                LuaUdpSocket(
                    channel: channel,
                    handler: NIOLoopBound(try channel.pipeline.syncOperations.handler(type: LuaDatagramHandler.self), eventLoop: channel.eventLoop))
            }
        return await register(bound, timeoutMs: limits.ioTimeoutMs, channel: { $0.channel }, as: { .udp($0) }) { error in
            "cannot bind \(LuaCapabilities.NetGrant(host: ip, port: port)): \(LuaIOFailure.reason(error))"
        }
    }

    func udpSendTo(handle: Int, bytes: [UInt8], host: String, port: Int, timeoutMs: Int) async -> LuaIOResult {
        guard case .udp(let socket) = resource(handle) else { return .failure("closed") }
        let destination: SocketAddress
        switch await grantedAddress(host: host, port: port) {
        case .success(let granted): destination = granted
        case .failure(let failure): return .failure(failure.message)
        }
        let channel = socket.channel
        if let local = channel.localAddress, local.protocol != destination.protocol {
            let family = local.protocol == .inet ? "IPv4" : "IPv6"
            return .failure("this socket sends over \(family) and \(destination.ipAddress ?? host) is not; open one with temblor.udp.bind on an address of its family")
        }
        let sent = await LuaWait.run(on: channel.eventLoop, timeoutMs: timeoutMs) { (promise: EventLoopPromise<Int>) in
            guard channel.isActive else {
                promise.fail(LuaIOFailure("closed"))
                return
            }
            let envelope = AddressedEnvelope(remoteAddress: destination, data: channel.allocator.buffer(bytes: bytes))
            channel.writeAndFlush(envelope).map { bytes.count }.cascade(to: promise)
        }
        return Self.result(sent) { .int(Int64($0)) }
    }

    func udpReceiveFrom(handle: Int, timeoutMs: Int) async -> LuaIOResult {
        guard case .udp(let socket) = resource(handle) else { return .failure("closed") }
        let handler = socket.handler
        let received = await LuaWait.run(on: socket.channel.eventLoop, timeoutMs: timeoutMs) { promise in
            handler.value.receive(promise: promise)
        } abandon: { promise in
            handler.value.abandon(promise)
        }
        switch received {
        case .value(let datagram):
            return .values([.bytes(datagram.bytes), .string(datagram.senderIP), .int(Int64(datagram.senderPort))])
        case .error(let error): return .failure(LuaIOFailure.reason(error))
        case .timeout: return .failure("timeout")
        case .cancelled: return .failure("cancelled")
        }
    }
}
