import HTTPTypes
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Answers pending requests with the events that reach the server's `in` port: the request
/// named by `meta.request.id`, status `meta.response.status`, headers `meta.response.headers`,
/// the payload encoded by the codec the response's (else the request's) `Content-Type` names.
/// Each event is acked once its response is written; one naming no pending request fails.
struct HttpServerSink: Sink {
    let pending: HttpPendingRequests

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        var encoders = HttpBodyEncoders(fallback: context.codecSpec)
        while let batch = await input.next() {
            for event in batch {
                answer(event, encoders: &encoders, context)
            }
        }
    }

    private func answer(_ event: Event, encoders: inout HttpBodyEncoders, _ context: SinkContext) {
        guard let id = event.meta["request"]?["id"]?.uintValue else {
            context.fail([event], reason: "event \(event.id) has no 'request.id' metadata; \(context.name) answers only events that came from one of its requests")
            return
        }
        guard pending.isWaiting(id) else {
            context.fail([event], reason: "request \(id) is not pending (already answered, timed out, or not one of \(context.name)'s); event \(event.id) not sent")
            return
        }
        let response = event.meta["response"]
        var status = 200
        if let raw = response?["status"], !raw.isNull {
            guard let code = raw.intValue, (100...599).contains(code), !(100...199).contains(code) else {
                fail(id, event, "meta.response.status must be an integer in 200...599, got \(raw)", context)
                return
            }
            status = Int(code)
        }
        var headers = HTTPFields()
        if let raw = response?["headers"], !raw.isNull {
            guard case .object(let object) = raw else {
                fail(id, event, "meta.response.headers must be a map of header names to strings, got \(raw)", context)
                return
            }
            for (name, value) in object {
                guard let fieldName = HTTPField.Name(name) else {
                    fail(id, event, "meta.response.headers: '\(name)' is not a valid header name", context)
                    return
                }
                let text = value.stringValue ?? "\(value)"
                guard HTTPField.isValidValue(text) else {
                    fail(id, event, "meta.response.headers: the value of '\(name)' is not a valid header value", context)
                    return
                }
                headers.append(HTTPField(name: fieldName, value: text))
            }
        }
        let contentType = headers[.contentType] ?? event.meta["request"]?["headers"]?["content-type"]?.stringValue
        var body: [UInt8] = []
        if !event.payload.isNull {
            do {
                let spec = try encoders.encode(event.payload, contentType: contentType, into: &body)
                if headers[.contentType] == nil { headers[.contentType] = HttpBodyCodec.contentType(of: spec) }
            } catch {
                fail(id, event, "cannot encode the answer to request \(id): \(error)", context)
                return
            }
        }
        let answer = HttpAnswer(status: status, headers: headers, body: body) { failure in
            if let failure { context.fail([event], reason: failure) } else { context.ack([event]) }
        }
        if !pending.decide(id, .answered(answer)) {
            context.fail([event], reason: "request \(id) was answered or timed out meanwhile; event \(event.id) not sent")
        }
    }

    /// An answer the flow got wrong: its client gets 500 with the reason, and the event fails.
    private func fail(_ id: UInt64, _ event: Event, _ reason: String, _ context: SinkContext) {
        pending.decide(id, .failed("\(context.name): \(reason)"))
        context.fail([event], reason: reason)
    }
}
