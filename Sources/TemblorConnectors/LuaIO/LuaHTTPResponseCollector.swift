import NIOCore
import NIOHTTP1

/// Gathers one HTTP response (head, body, end) into `promise`; a body past `limit` bytes, an
/// error or a connection that closes before the end fails it. Lives on its channel's event loop.
final class LuaHTTPResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<LuaHTTPResponse>
    private let limit: Int
    private let limitDescription: String
    private var response: LuaHTTPResponse?

    init(promise: EventLoopPromise<LuaHTTPResponse>, limit: Int, limitDescription: String) {
        self.promise = promise
        self.limit = limit
        self.limitDescription = limitDescription
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
            response = LuaHTTPResponse(status: Int(head.status.code), headers: headers, body: [])
        case .body(let part):
            guard response != nil else { return }
            if response!.body.count + part.readableBytes > limit {
                promise.fail(LuaIOFailure("the response body is larger than the I/O buffer holds (\(limitDescription))"))
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
            promise.succeed(response)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(LuaIOFailure("the server closed the connection before the end of the response"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(LuaIOFailure(error is HTTPParserError ? "malformed HTTP response: \(error)" : LuaIOFailure.reason(error)))
        context.close(promise: nil)
    }
}
