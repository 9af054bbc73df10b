import NIOCore

extension JetStreamContext {
    /// Publishes to a stream's subject and waits for the stream's receipt. `messageID` goes in
    /// `Nats-Msg-Id`: the stream drops a message whose id it saw within its duplicate window
    /// and answers with `duplicate` set. Throws `.noResponders` when no stream captures the
    /// subject, `.jetStream` when the stream refuses the message.
    public func publish(_ payload: ByteBuffer, to subject: String, headers: NATSHeaders? = nil, messageID: String? = nil) async throws(NATSError) -> JetStreamPubAck {
        var headers = headers
        if let messageID {
            var withID = headers ?? NATSHeaders()
            withID["Nats-Msg-Id"] = messageID
            headers = withID
        }
        let reply = try await client.request(payload, to: subject, headers: headers, timeout: timeout)
        return try Self.decode(JetStreamPubAck.self, from: reply.payload, answering: subject)
    }
}
