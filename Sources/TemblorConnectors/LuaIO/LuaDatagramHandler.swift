import NIOCore

/// Holds the datagrams a plugin's UDP socket received and not yet read. Reads on demand (autoRead
/// is off): only while a `receivefrom` waits and the state's buffered bytes are under
/// `limits.ioBuffer`; other datagrams wait in the kernel, which drops them when its buffer is full.
/// Lives on its channel's event loop; the session reaches it through a `NIOLoopBound`.
final class LuaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let budget: LuaIOBudget
    private var queue: [LuaDatagram] = []
    private var waiter: EventLoopPromise<LuaDatagram>?
    private var context: ChannelHandlerContext?
    private var reading = false
    private var ended = false

    init(budget: LuaIOBudget) {
        self.budget = budget
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let datagram = LuaDatagram(
            bytes: Array(envelope.data.readableBytesView), senderIP: envelope.remoteAddress.ipAddress ?? "",
            senderPort: envelope.remoteAddress.port ?? 0)
        budget.add(datagram.bytes.count)
        queue.append(datagram)
        serve()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        serve()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended = true
        serve()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // An ICMP "port unreachable" for an earlier send shows up here; the socket stays usable.
    }

    /// Starts a `receivefrom` that completes `promise` with the next datagram.
    func receive(promise: EventLoopPromise<LuaDatagram>) {
        guard waiter == nil else {
            promise.fail(LuaIOFailure("another receivefrom on this socket is still waiting"))
            return
        }
        waiter = promise
        serve()
    }

    /// Forgets the receive of `promise` (timed out or cancelled).
    func abandon(_ promise: EventLoopPromise<LuaDatagram>) {
        if let waiter, waiter.futureResult === promise.futureResult { self.waiter = nil }
    }

    /// Drops what is queued, once the socket is closed by the script.
    func discard() {
        for datagram in queue { budget.remove(datagram.bytes.count) }
        queue.removeAll()
        ended = true
        if let waiter {
            self.waiter = nil
            waiter.fail(LuaIOFailure("closed"))
        }
    }

    private func serve() {
        guard let promise = waiter else { return }
        if !queue.isEmpty {
            let datagram = queue.removeFirst()
            waiter = nil
            budget.remove(datagram.bytes.count)
            promise.succeed(datagram)
            return
        }
        if ended {
            waiter = nil
            promise.fail(LuaIOFailure("closed"))
            return
        }
        guard !reading else { return }
        guard budget.hasRoom else {
            waiter = nil
            promise.fail(LuaIOFailure("cannot receive now: the I/O buffer is full (\(budget.limitDescription)); read the other sockets first"))
            return
        }
        guard let context else { return }
        reading = true
        context.read()
    }
}
