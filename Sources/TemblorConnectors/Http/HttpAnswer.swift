import HTTPTypes

/// The response a flow made for a request (an event that reached the server's `in` port),
/// with the callback that acks or fails that event once the response is written or is not.
struct HttpAnswer: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: [UInt8]
    /// Told `nil` once the response is on the wire, or the reason it could not be written.
    var written: @Sendable (_ failure: String?) -> Void
}
