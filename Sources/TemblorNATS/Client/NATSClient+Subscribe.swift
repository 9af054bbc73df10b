import Logging

extension NATSClient {
    /// Subscribes to `subject` (wildcards allowed), in `queue`'s group if given: the members of a
    /// group share its messages. The SUB is queued at once; `flush()` after it to be sure the
    /// server has it before someone else publishes. While reconnecting the subscription is
    /// registered and sent with the next connection; before `connect()` it throws `.notConnected`.
    public func subscribe(to subject: String, queue: String? = nil) async throws(NATSError) -> NATSSubscription {
        try NATSSubject.validateSubscribe(subject)
        if let queue { try NATSSubject.validateQueue(queue) }
        return try state.withLock { (state) throws(NATSError) in
            switch state.phase {
            case .closed: throw .closed
            case .idle, .connecting: throw .notConnected
            case .connected, .reconnecting: break
            }
            let sid = state.takeSid()
            let subscription = NATSSubscription(
                subject: subject, queue: queue, sid: sid, capacity: options.subscriptionCapacity, client: self, logger: logger)
            state.subscriptions[sid] = subscription
            try? state.connection?.send { $0.writeNATSSubscribe(subject: subject, queue: queue, sid: sid) }
            return subscription
        }
    }

    /// Forgets the subscription and sends UNSUB for it.
    func unsubscribe(_ subscription: NATSSubscription) async {
        state.withLock { state in
            guard state.subscriptions.removeValue(forKey: subscription.sid) != nil else { return }
            try? state.connection?.send { $0.writeNATSUnsubscribe(sid: subscription.sid) }
        }
    }

    /// A message from the server, to its subscription or waiting request. On the event loop.
    func route(_ message: NATSMessage) {
        enum Target {
            case subscription(NATSSubscription)
            case request(NATSClientState.PendingRequest)
            case nobody
        }
        let target: Target = state.withLock { state in
            if let subscription = state.subscriptions[message.sid] { return .subscription(subscription) }
            if let inbox = state.requestInbox, inbox.sid == message.sid, message.subject.utf8.count > inbox.prefix.utf8.count {
                let token = String(message.subject.utf8.dropFirst(inbox.prefix.utf8.count))!
                if let request = state.requests.removeValue(forKey: token) { return .request(request) }
            }
            return .nobody
        }
        switch target {
        case .subscription(let subscription):
            subscription.deliver(message)
        case .request(let request):
            if message.status == 503 {
                request.promise.complete(.failure(.noResponders(request.subject)))
            } else {
                request.promise.complete(.success(message))
            }
        case .nobody:
            break  // a late reply, or a message for a subscription just ended
        }
    }

    /// A later INFO (cluster changes, lame duck mode) on the current connection.
    func serverInfoChanged(_ info: NATSServerInfo, connection id: UInt64) {
        let added: [NATSServerAddress] = state.withLock { state in
            guard let connection = state.connection, connection.id == id else { return [] }
            state.serverInfo = info
            guard options.discoverServers else { return [] }
            return state.rotation.add(discovered: info.connectURLs, tls: connection.server.tls)
        }
        if !added.isEmpty {
            logger.debug("nats cluster announced servers", metadata: ["nats.servers": "\(added.map(\.description))"])
        }
        if info.lameDuckMode {
            logger.info("nats server is shutting down (lame duck mode)", metadata: ["nats.server": "\(info.serverName)"])
        }
    }
}
