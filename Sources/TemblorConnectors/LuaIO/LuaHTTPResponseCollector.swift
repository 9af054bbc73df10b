import NIOCore
import NIOHTTP1

/// Gathers each HTTP response (head, body, end) of its connection into the promise of the
/// request waiting for it; a body past `limit` bytes, an error or a connection that closes
/// before the end fails it. A kept-alive connection keeps its collector from one request to
/// the next. Lives on its channel's event loop.
final class LuaHTTPResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private var promise: EventLoopPromise<LuaHTTPResponse>?
    private let limit: Int
    private let limitDescription: String
    private var response: LuaHTTPResponse?

    init(limit: Int, limitDescription: String) {
        self.limit = limit
        self.limitDescription = limitDescription
    }

    /// The next response on this connection goes to `promise`.
    func expect(_ promise: EventLoopPromise<LuaHTTPResponse>) {
        self.promise = promise
        response = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            var headers: [(name: String, value: String)] = []
            var positions: [String: Int] = [:]
            for (name, value) in head.headers {
                let key = name.lowercased()
                if let at = positions[key] {
                    headers[at].value += ", " + value
                } else {
                    positions[key] = headers.count
                    headers.append((key, value))
                }
            }
            response = LuaHTTPResponse(status: Int(head.status.code), headers: headers, body: [], keepAlive: head.isKeepAlive)
        case .body(let part):
            guard response != nil else { return }
            if response!.body.count + part.readableBytes > limit {
                fail(LuaIOFailure("the response body is larger than the I/O buffer holds (\(limitDescription))"))
                context.close(promise: nil)
                return
            }
            response!.body.append(contentsOf: part.readableBytesView)
        case .end:
            guard let response else { return }
            // An interim response (100 Continue) is followed by the real one.
            if (100..<200).contains(response.status), response.status != 101 {
                self.response = nil
                return
            }
            self.response = nil
            let waiting = promise
            promise = nil
            waiting?.succeed(response)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(LuaIOFailure("the server closed the connection before the end of the response"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(LuaIOFailure(error is HTTPParserError ? "malformed HTTP response: \(error)" : LuaIOFailure.reason(error)))
        context.close(promise: nil)
    }

    private func fail(_ failure: LuaIOFailure) {
        let waiting = promise
        promise = nil
        waiting?.fail(failure)
    }
}
