import Logging

extension NATSClient {
    /// The current connection ended: fail what waited on it and start reconnecting. From the
    /// connection's event loop.
    func connectionLost(_ id: UInt64, reason: NATSError) {
        let taken: ([NATSClientState.PendingRequest], [NATSSubscription], NATSServerAddress)? = state.withLock { state in
            guard let connection = state.connection, connection.id == id else { return nil }
            state.phase = .reconnecting
            eventSink.yield(.disconnected(reason))
            defer { state.requests = [:] }
            state.reconnectTask = Task { await self.reconnect() }
            return (Array(state.requests.values), Array(state.subscriptions.values), connection.server)
        }
        guard let (requests, subscriptions, server) = taken else { return }
        logger.warning("nats connection lost; reconnecting", metadata: ["nats.server": "\(server)", "nats.error": "\(reason)"])
        for request in requests { request.promise.complete(.failure(.notConnected)) }
        for subscription in subscriptions { subscription.interrupt() }
    }

    /// Tries the servers in turn, waiting `reconnectDelay` before each attempt, until one lets
    /// the client in or the client is closed.
    private func reconnect() async {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            let next: NATSServerAddress? = state.withLock { state in
                guard case .reconnecting = state.phase else { return nil }
                return state.rotation.next()
            }
            guard let server = next else { return }
            try? await Task.sleep(for: options.reconnectDelay(attempt))
            if Task.isCancelled { return }
            let connection: NATSConnection
            do {
                connection = try await establish(to: server)
            } catch {
                logger.debug("nats reconnect attempt failed", metadata: ["nats.server": "\(server)", "nats.attempt": "\(attempt)", "nats.error": "\(error.reason)"])
                continue
            }
            switch install(connection) {
            case .clientClosed:
                await connection.close()
                return
            case .connectionClosed:
                continue
            case .installed:
                // The PONG says the server has every SUB sent again before anyone hears of it.
                try? await connection.ping(timeout: options.connectTimeout)
                state.withLock { state in
                    if let current = state.connection, current === connection { eventSink.yield(.reconnected(server)) }
                }
                logger.info("nats reconnected", metadata: ["nats.server": "\(server)", "nats.attempt": "\(attempt)"])
                return
            }
        }
    }
}
