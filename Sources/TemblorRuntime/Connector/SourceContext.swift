import CoreMetrics
import Logging
import Synchronization
import TemblorCodecs
import TemblorValue

/// What a running source uses to emit: its output ports, its codec recipe, the contraflow
/// router and a logger. Shared by the source's tasks (one per connection, say); each stream
/// it opens belongs to one task.
public final class SourceContext: Sendable {
    /// The connector instance's name in the flow.
    public let name: String
    /// The number that event ids carry so that acks find this source.
    public let sourceId: UInt64
    public let logger: Logger
    let out: Outlet
    let err: Outlet
    let codec: StreamCodecSpec
    let router: ContraflowRouter
    /// Events per batch sent on the bus.
    public let batchSize: Int
    /// The breakers of the sinks this source feeds: a batch waits while any is open.
    let breakers: [CircuitBreaker]
    /// Told when the source is held by a breaker and when it may go on.
    var lifecycle: (any ConnectorLifecycle)? { lifecycleBox.withLock { $0 } }
    private let lifecycleBox = Mutex<(any ConnectorLifecycle)?>(nil)

    /// Sets the hooks told about pauses (the runner does, before the source runs).
    func setLifecycle(_ lifecycle: (any ConnectorLifecycle)?) {
        lifecycleBox.withLock { $0 = lifecycle }
    }
    /// Events sent on `out` and `err`, counted per batch, when the flow keeps metrics.
    let outEvents: Counter?
    let errEvents: Counter?
    /// True when the source only frames (its codec becomes `binary`) and each frame is JSON text
    /// that the nodes downstream decode where they need it: the events are marked as such.
    let sendsJSONText: Bool
    private let nextStream = Atomic<UInt64>(0)

    public convenience init(
        name: String, sourceId: UInt64, out: Outlet, err: Outlet, codec: StreamCodecSpec, router: ContraflowRouter,
        batchSize: Int = 256, breakers: [CircuitBreaker] = [], logger: Logger? = nil
    ) {
        self.init(
            name: name, sourceId: sourceId, out: out, err: err, codec: codec, router: router, batchSize: batchSize,
            breakers: breakers, logger: logger, events: nil)
    }

    /// A context whose batches are also counted on `events`.
    init(
        name: String, sourceId: UInt64, out: Outlet, err: Outlet, codec: StreamCodecSpec, router: ContraflowRouter,
        batchSize: Int = 256, breakers: [CircuitBreaker] = [], logger: Logger? = nil, events: (out: Counter, err: Counter)?,
        sendsJSONText: Bool = false
    ) {
        self.sendsJSONText = sendsJSONText
        self.outEvents = events?.out
        self.errEvents = events?.err
        self.name = name
        self.sourceId = sourceId
        self.out = out
        self.err = err
        self.codec = sendsJSONText ? codec.framesOnly : codec
        self.router = router
        self.batchSize = batchSize
        self.breakers = breakers
        self.logger = logger ?? Logger(label: "temblor.connector.\(name)")
    }

    /// The acks and fails of this source's events, by id, as sinks deliver or give up on them:
    /// what an at-least-once source commits or redelivers on. Ends when the flow has drained.
    public func acknowledgements() -> AsyncStream<Acknowledgement> {
        router.acknowledgements(of: sourceId)
    }

    /// Calls `handler` with this source's acks and fails as sinks deliver or give up on its
    /// events, on their tasks and without a task switch (for a source that answers each of its
    /// clients once delivered): the handler must be quick and never wait.
    public func onAcknowledgements(_ handler: @escaping @Sendable (Acknowledgement) -> Void) {
        router.onAcknowledgements(of: sourceId, handler)
    }

    /// Opens a stream (a file, a connection) with its own decoder state and event numbering.
    /// `meta` is merged into every event's metadata (for example the peer address); `codec`
    /// replaces the connector's own for this stream (an HTTP body's Content-Type names one).
    public func openStream(meta: Value = .null, codec: StreamCodecSpec? = nil) throws(CodecError) -> SourceStream {
        let id = nextStream.wrappingAdd(1, ordering: .relaxed).oldValue
        return SourceStream(context: self, id: id, decoder: try (codec ?? self.codec).makeDecoder(), meta: meta)
    }

    /// Opens a stream that decodes with `decoder` (one the source keeps between messages).
    public func openStream(meta: Value = .null, decoder: consuming StreamDecoder) -> SourceStream {
        let id = nextStream.wrappingAdd(1, ordering: .relaxed).oldValue
        return SourceStream(context: self, id: id, decoder: decoder, meta: meta)
    }

    /// The codec and processors the flow gave this connector, for a source that picks another
    /// codec per message and falls back to this one.
    public var codecSpec: StreamCodecSpec { codec }

    /// Whether anything is linked to `err`: a source that gives a message up only once it is
    /// elsewhere (a dead letter) decides by it.
    public var hasErrorRoute: Bool { err.isLinked }

    /// True while a sink this source feeds cannot accept events (its breaker is open): a source
    /// that answers its clients can refuse work now (HTTP 503) instead of holding it.
    public var isHeld: Bool { breakers.contains(where: \.isOpen) }
}
