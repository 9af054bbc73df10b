import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Guards one HTTP connection: closes it when a request's headers do not arrive within the
/// header timeout (a slowloris client holds no connection forever; the same timer closes a
/// kept-alive connection left idle), and closes it once a response that says
/// `Connection: close` is written (a refused body is not read to its end).
///
/// Sits between the HTTP codec and Hummingbird's connection handler, so it sees whole
/// request heads and response parts. All state is touched on the channel's event loop only.
final class HttpConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long after a connection opens, or after its last response, the next request's
    /// headers may take to arrive.
    private let headerTimeout: TimeAmount
    /// How long the client may go on sending a refused body before the connection is dropped,
    /// so that it still reads the response instead of a reset.
    private let linger: TimeAmount
    private var timer: Scheduled<Void>?
    /// Since when the connection waits for a request's headers; `nil` while requests are in
    /// progress. The timer reads it when it fires, so a request costs no timer of its own.
    private var waitingSince: NIODeadline?
    /// Requests whose head was read and whose response is not fully written.
    private var inProgress = 0
    private var closeAfterResponse = false

    init(headerTimeout: TimeAmount, linger: TimeAmount = .seconds(1)) {
        self.headerTimeout = headerTimeout
        self.linger = linger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inProgress += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.kind != .informational, head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            inProgress = max(inProgress - 1, 0)
            guard closeAfterResponse else {
                context.write(data, promise: promise)
                if inProgress == 0 { arm(context) }
                return
            }
            // The response is flushed and the write side closed; the read side is dropped a
            // moment later, so a client still sending its body reads the answer first.
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            let loop = context.eventLoop.assumeIsolated()
            written.futureResult.assumeIsolated().whenComplete { [linger] _ in
                context.close(mode: .output, promise: nil)
                loop.scheduleTask(in: linger) { context.close(promise: nil) }
            }
        }
    }

    /// The connection starts waiting for a request's headers.
    private func arm(_ context: ChannelHandlerContext) {
        waitingSince = .now()
        if timer == nil { schedule(context, in: headerTimeout) }
    }

    /// A request's headers arrived.
    private func disarm() {
        waitingSince = nil
    }

    private func schedule(_ context: ChannelHandlerContext, in delay: TimeAmount) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            timer = nil
            guard let since = waitingSince else { return }
            let deadline = since + headerTimeout
            let now = NIODeadline.now()
            if now >= deadline {
                context.close(promise: nil)
            } else {
                schedule(context, in: deadline - now)
            }
        }
    }

    private func stop() {
        waitingSince = nil
        timer?.cancel()
        timer = nil
    }
}
