import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A connection to a NATS server or cluster that survives the loss of any one server: it
/// reconnects by itself, subscribes everything again, and reports each change on `events`.
/// Publishing is at most once (nothing is buffered while disconnected); JetStream adds
/// delivery guarantees on top (see `JetStreamContext`). Call `close()` when done: an open
/// connection keeps the client alive.
public final class NATSClient: Sendable {
    let options: NATSClientOptions
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let state: Mutex<NATSClientState>
    private let eventStream: AsyncStream<NATSConnectionEvent>
    let eventSink: AsyncStream<NATSConnectionEvent>.Continuation
    let connectionIDs = Atomic<UInt64>(1)

    /// A client for `options`; nothing happens until `connect()`.
    public init(
        options: NATSClientOptions, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "temblor.nats")
    ) {
        self.options = options
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        state = Mutex(NATSClientState(servers: options.servers))
        (eventStream, eventSink) = AsyncStream.makeStream(of: NATSConnectionEvent.self, bufferingPolicy: .bufferingNewest(256))
    }

    /// Whether a connection is up right now.
    public var isConnected: Bool {
        state.withLock { $0.connection != nil }
    }

    /// Connection changes, in order. One stream for the client's whole life: iterate it from
    /// one task (several iterators would split the events between them); the newest 256
    /// events are kept for a reader that falls behind. Ends after `.closed`.
    public var events: AsyncStream<NATSConnectionEvent> { eventStream }

    /// The last INFO of the server connected to (kept while reconnecting).
    public var serverInfo: NATSServerInfo? {
        state.withLock { $0.serverInfo }
    }

    /// A subject no one else will use, for replies: `<inboxPrefix>.<random>`.
    public func newInbox() -> String {
        "\(options.inboxPrefix).\(NATSRandom.token())"
    }

    /// Closes the connection and stops reconnecting. Subscriptions end (after what they have
    /// buffered), requests in flight fail with `.closed`, `events` gets `.closed` and ends.
    /// Nothing queued is drained first: flush() before, if that matters.
    public func close() async {
        let taken: (NATSConnection?, Task<Void, Never>?, [NATSSubscription], [NATSClientState.PendingRequest])? = state.withLock { state in
            if case .closed = state.phase { return nil }
            let connection = state.connection
            state.phase = .closed
            defer {
                state.subscriptions = [:]
                state.requests = [:]
                state.reconnectTask = nil
            }
            return (connection, state.reconnectTask, Array(state.subscriptions.values), Array(state.requests.values))
        }
        guard let (connection, reconnecting, subscriptions, requests) = taken else { return }
        reconnecting?.cancel()
        for request in requests { request.promise.complete(.failure(.closed)) }
        for subscription in subscriptions { subscription.finish() }
        await connection?.close()
        eventSink.yield(.closed)
        eventSink.finish()
        logger.debug("nats client closed")
    }
}
