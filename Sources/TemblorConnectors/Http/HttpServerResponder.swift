import HTTPTypes
import HummingbirdCore
import NIOCore
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Turns each request into events and answers it with their fate: what the flow sent to the
/// server's `in` port, else 202 once delivered, 500 when failed, 504 when neither came in time.
struct HttpServerResponder: Sendable {
    let context: SourceContext
    let pending: HttpPendingRequests
    let decoders: HttpDecoderPool
    let maxBodyBytes: Int
    let responseTimeoutMs: Int

    func respond(to request: Request, _ writer: consuming ResponseWriter, channel: any Channel) async throws {
        let peer = channel.remoteAddress.peerDescription
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maxBodyBytes {
            try await writer.writeText(.contentTooLarge, "the body (\(length) bytes) is over max_body_bytes (\(maxBodyBytes))", close: true)
            return
        }
        if context.isHeld {
            try await writer.writeText(.serviceUnavailable, "\(context.name) cannot take events now; retry later", extra: [.retryAfter: "1"])
            return
        }
        if request.headers[.expect]?.lowercased() == "100-continue" {
            try await writer.writeInformationalHead(HTTPResponse(status: .continue))
        }
        var body: [UInt8] = []
        for try await buffer in request.body {
            guard body.count + buffer.readableBytes <= maxBodyBytes else {
                try await writer.writeText(.contentTooLarge, "the body is over max_body_bytes (\(maxBodyBytes))", close: true)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        }

        let id = pending.makeId()
        let kind = HttpBodyCodec.kind(of: request.headers[.contentType])
        let decoder: StreamDecoder
        do {
            decoder = try decoders.take(kind)
        } catch {
            try await writer.writeText(.internalServerError, "\(context.name): cannot decode \(decoders.spec(kind).codec.name): \(error)")
            return
        }
        var stream = context.openStream(meta: ["request": Self.describe(request, id: id, peer: peer)], decoder: decoder)
        var outcomes: [StreamDecoder.Outcome] = body.isEmpty ? [.value(.null, frame: 0)] : stream.decodeMessage(body[...])
        var reasons: [String] = []
        for case .failure(let error, let frame, let record, _) in outcomes {
            reasons.append(stream.describe(failure: error, frame: frame, record: record))
        }
        if !reasons.isEmpty {
            // A body that does not decode is refused whole: its failures go to `err`, none of
            // its values go on, and the client learns why.
            outcomes.removeAll { if case .value = $0 { true } else { false } }
            await stream.send(&outcomes)
            try await writer.writeText(.badRequest, reasons.joined(separator: "\n"))
            return
        }
        decoders.give(stream.reusableDecoder, kind)

        pending.register(id, stream: stream.id, expected: outcomes.count, deadline: .now + .milliseconds(responseTimeoutMs))
        await stream.send(&outcomes)
        let fate = await pending.wait(id)
        defer { pending.remove(id) }
        switch fate {
        case .answered(let answer):
            var fields = answer.headers
            fields[.contentLength] = String(answer.body.count)
            do {
                try await writer.write(
                    response: HTTPResponse(status: .init(code: answer.status), headerFields: fields),
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
                answer.written(nil)
            } catch {
                answer.written("cannot write the response to \(peer): \(NetworkError.reason(error))")
                throw error
            }
        case .delivered:
            try await writer.writeResponse(HTTPResponse(status: .accepted, headerFields: [.contentLength: "0"]))
        case .failed(let reason):
            try await writer.writeText(.internalServerError, reason)
        case .timedOut:
            try await writer.writeText(.gatewayTimeout, "\(context.name): no answer within response_timeout_ms (\(responseTimeoutMs))")
        }
    }

    /// `meta.request`: what a flow needs to route on the request and to answer it.
    static func describe(_ request: Request, id: UInt64, peer: String) -> Value {
        var headers = Object()
        for field in request.headers {
            let name = field.name.canonicalName
            if let earlier = headers[name]?.stringValue {
                headers[name] = .string(earlier + ", " + field.value)
            } else {
                headers[name] = .string(field.value)
            }
        }
        return [
            "id": .int(Int64(truncatingIfNeeded: id)),
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "query": .string(request.uri.query ?? ""),
            "headers": .object(headers),
            "peer": .string(peer),
        ]
    }
}
