import NIOCore

extension NATSClient {
    /// Publishes a request and waits for the first reply. Replies come on one wildcard inbox
    /// subscription (`<inboxPrefix>.<random>.*`) shared by every request of the client. Throws
    /// `.noResponders` when nothing subscribes to `subject`, `.timeout` when no reply came in
    /// `timeout`, `.notConnected` when the connection is lost meanwhile.
    public func request(_ payload: ByteBuffer, to subject: String, headers: NATSHeaders? = nil, timeout: Duration) async throws(NATSError) -> NATSMessage {
        try NATSSubject.validatePublish(subject)
        if let headers { try headers.validate() }
        let promise = NATSPromise<NATSMessage>()
        let (connection, token, reply) = try state.withLock { (state) throws(NATSError) in
            guard let connection = state.connection else { throw state.unavailable }
            let inbox: NATSClientState.RequestInbox
            if let existing = state.requestInbox {
                inbox = existing
            } else {
                inbox = NATSClientState.RequestInbox(sid: state.takeSid(), prefix: "\(options.inboxPrefix).\(NATSRandom.token()).")
                state.requestInbox = inbox
                try connection.send { $0.writeNATSSubscribe(subject: inbox.prefix + "*", queue: nil, sid: inbox.sid) }
            }
            state.nextRequest += 1
            let token = String(state.nextRequest)
            state.requests[token] = NATSClientState.PendingRequest(promise: promise, subject: subject)
            return (connection, token, inbox.prefix + token)
        }
        do {
            try await connection.publish(subject: subject, reply: reply, headers: headers, payload: payload)
        } catch {
            forgetRequest(token)
            throw error
        }
        let timer = connection.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.complete(.failure(.timeout("no reply to a request on '\(subject)' within \(timeout)")))
        }
        let result = await promise.value(cancelled: .timeout("a request on '\(subject)' was cancelled before its reply"))
        timer.cancel()
        if case .failure = result { forgetRequest(token) }
        return try result.get()
    }

    private func forgetRequest(_ token: String) {
        state.withLock { _ = $0.requests.removeValue(forKey: token) }
    }
}
