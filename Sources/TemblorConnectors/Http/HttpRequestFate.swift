/// How the wait for a request's events ended, which decides the response its client gets.
enum HttpRequestFate: Sendable {
    /// The flow answered it through the server's `in` port.
    case answered(HttpAnswer)
    /// Every event it became was acknowledged downstream (202).
    case delivered
    /// An event it became failed (500 with the reason).
    case failed(String)
    /// Neither happened within `response_timeout_ms` (504).
    case timedOut
}
