import NIOCore
import NIOSSL
import NIOTLS

/// Completes `done` once the TLS handshake of its channel succeeded, or fails it with why it did
/// not (a certificate the peer did not accept, the peer closing), so that a client counts as
/// connected, and acks what it writes, only once the server is known to be the right one.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let done: EventLoopPromise<Void>
    /// On a channel that reads only when asked (`autoRead` off), the handshake asks itself.
    private let drivesReads: Bool
    private var finished = false

    init(done: EventLoopPromise<Void>, drivesReads: Bool = false) {
        self.done = done
        self.drivesReads = drivesReads
    }

    func channelActive(context: ChannelHandlerContext) {
        if drivesReads { context.read() }
        context.fireChannelActive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if drivesReads, !finished { context.read() }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(NIOSSLError.uncleanShutdown))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish(.failure(NIOSSLError.uncleanShutdown))
    }

    private func finish(_ result: Result<Void, any Error>) {
        guard !finished else { return }
        finished = true
        done.completeWith(result)
    }
}
