/// Everything the client changes as connections come and go, behind its one lock.
struct NATSClientState {
    enum Phase {
        /// `connect()` not called yet, or it failed.
        case idle
        /// `connect()` is trying the servers.
        case connecting
        case connected(NATSConnection)
        /// The connection was lost; a task is trying to make a new one.
        case reconnecting
        case closed
    }

    /// A request waiting for its reply on the shared inbox.
    struct PendingRequest {
        var promise: NATSPromise<NATSMessage>
        var subject: String
    }

    /// The wildcard subscription all requests get their replies on.
    struct RequestInbox {
        var sid: Int
        /// `<inbox prefix>.<random>.`; a request's reply subject is this plus its token.
        var prefix: String
    }

    var phase = Phase.idle
    var subscriptions: [Int: NATSSubscription] = [:]
    var nextSid = 1
    var requests: [String: PendingRequest] = [:]
    var requestInbox: RequestInbox?
    var nextRequest: UInt64 = 0
    var serverInfo: NATSServerInfo?
    var rotation: NATSServerRotation
    var reconnectTask: Task<Void, Never>?
    var everConnected = false

    init(servers: [NATSServerAddress]) {
        rotation = NATSServerRotation(servers)
    }

    var connection: NATSConnection? {
        if case .connected(let connection) = phase { return connection }
        return nil
    }

    /// Why nothing can be sent now.
    var unavailable: NATSError {
        if case .closed = phase { return .closed }
        return .notConnected
    }

    /// Takes a fresh sid.
    mutating func takeSid() -> Int {
        defer { nextSid += 1 }
        return nextSid
    }
}
