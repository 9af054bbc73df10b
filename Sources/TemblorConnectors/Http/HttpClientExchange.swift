import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TemblorRuntime
import TemblorValue

/// One event's request, sent until it has a final answer: 2xx acks the event, another 4xx
/// fails it with the status; 5xx, 429 and connection errors are retried with the reconnect
/// backoff (or the server's `Retry-After`, when longer), the circuit breaker holding the
/// sources meanwhile, until `max_retries` are used up. Every final response goes to `out`.
struct HttpClientExchange: Sendable {
    /// Responses larger than this fail their event rather than filling memory.
    static let maxResponseBytes = 64 << 20

    let client: HTTPClient
    let strategy: ReconnectStrategy
    let timeout: TimeAmount
    let context: SinkContext
    let replies: Rendezvous<HttpClientReply>
    let drain: HttpClientDrain

    func perform(_ request: HTTPClientRequest, for event: Event) async {
        let target = "\(request.method.rawValue) \(request.url)"
        var retry = 0
        while true {
            let reason: String
            var reply: HttpClientReply?
            var asked: Duration?
            do {
                let response = try await client.execute(request, timeout: timeout)
                let body = try await response.body.collect(upTo: Self.maxResponseBytes)
                let status = Int(response.status.code)
                let received = HttpClientReply(
                    status: status, headers: response.headers.map { ($0.name, $0.value) }, body: Array(body.readableBytesView),
                    correlation: event.meta["correlation"], method: request.method.rawValue, url: request.url)
                switch status {
                case 200..<300:
                    context.breaker.close()
                    context.ack([event])
                    await replies.offer(received)
                    return
                case 429, 500...599:
                    reason = "\(target): HTTP \(status) \(response.status.reasonPhrase)"
                    asked = HttpRetryAfter.delay(response.headers.first(name: "retry-after"))
                    reply = received
                default:
                    context.breaker.close()
                    context.fail([event], reason: "\(target): HTTP \(status) \(response.status.reasonPhrase)\(Self.excerpt(received.body))")
                    await replies.offer(received)
                    return
                }
            } catch {
                reason = "\(target) failed: \(Self.describe(error))"
            }
            retry += 1
            guard !drain.expired, let backoff = strategy.delay(beforeRetry: retry) else {
                // Given up: the breaker no longer holds the sources on this event's account.
                context.breaker.close()
                context.fail([event], reason: "\(reason); gave up after \(retry - 1) retr\(retry == 2 ? "y" : "ies")")
                if let reply { await replies.offer(reply) }
                return
            }
            context.breaker.open()
            let delay = max(backoff, asked ?? .zero)
            context.logger.warning("\(context.name): \(reason); retry \(retry) in \(delay)")
            try? await Task.sleep(for: delay)
        }
    }

    /// The start of an error body, so that a failure says what the server said.
    static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        return ": " + text.split(whereSeparator: \.isNewline).joined(separator: " ") + (body.count > 200 ? "..." : "")
    }

    static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout: return "no response in time (timeout_ms)"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(client)"
            }
        }
        return NetworkError.reason(error)
    }
}
