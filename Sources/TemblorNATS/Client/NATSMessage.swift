import NIOCore

/// A message as the server delivered it; `payload` is a slice of the bytes read, not a copy.
public struct NATSMessage: Sendable {
    /// The subject it was published to.
    public var subject: String
    /// The subscription it was delivered to.
    public var sid: Int
    /// Where the publisher wants an answer (a request's inbox, a JetStream ack subject).
    public var reply: String?
    /// Headers, when it came as HMSG.
    public var headers: NATSHeaders?
    /// The body, possibly empty.
    public var payload: ByteBuffer

    /// A message by its parts, as a test or a stub server would make it.
    public init(subject: String, sid: Int, reply: String? = nil, headers: NATSHeaders? = nil, payload: ByteBuffer) {
        self.subject = subject
        self.sid = sid
        self.reply = reply
        self.headers = headers
        self.payload = payload
    }

    /// The status of the header block (503 no responders, 404 no messages, 408 request timeout).
    public var status: Int? { headers?.status }

    /// The words after the status code, such as `No Messages`.
    public var statusDescription: String? { headers?.statusDescription }
}
