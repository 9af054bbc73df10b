import NIOCore

extension NATSClient {
    /// Publishes a message (at most once). Returns once it is queued for the socket; throws
    /// `.notConnected` while the client is reconnecting (nothing is buffered for later),
    /// `.payloadTooLarge` over the server's `max_payload`, `.invalidSubject` for a subject the
    /// server would refuse. Waits only when the socket cannot keep up.
    public func publish(_ payload: ByteBuffer, to subject: String, reply: String? = nil, headers: NATSHeaders? = nil) async throws(NATSError) {
        try NATSSubject.validatePublish(subject)
        if let reply { try NATSSubject.validatePublish(reply) }
        if let headers { try headers.validate() }
        let connection = try currentConnection()
        try await connection.publish(subject: subject, reply: reply, headers: headers, payload: payload)
    }

    /// Sends PING after everything published so far and waits for the PONG: when it returns,
    /// the server has processed all of it (subscriptions included).
    public func flush(timeout: Duration = .seconds(5)) async throws(NATSError) {
        try await currentConnection().ping(timeout: timeout)
    }

    func currentConnection() throws(NATSError) -> NATSConnection {
        try state.withLock { (state) throws(NATSError) in
            guard let connection = state.connection else { throw state.unavailable }
            return connection
        }
    }
}
