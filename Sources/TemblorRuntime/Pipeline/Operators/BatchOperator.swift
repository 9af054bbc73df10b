import TemblorValue

/// Gathers events into one event whose payload is the array of their payloads, so sinks can
/// write in bulk; acking the batch acks every event in it.
///
/// Config: `count` (events per batch, default 100) and `timeout_ms` (flush a partial batch once
/// its first event has waited longer than this, checked on `tick`). The batch takes the first
/// event's id, meta and ingest time, and tracks the ids of all the others.
public struct BatchOperator: Operator, Sendable {
    /// Events per batch.
    public let count: Int
    /// How long a partial batch may wait, in nanoseconds; `nil` waits for `count` or the end.
    public let timeoutNs: UInt64?

    private let clock: @Sendable () -> UInt64
    /// The first event of the current batch, its payload moved out into `payloads`.
    private var head: Event?
    private var payloads: [Value] = []
    private var tracked: [EventId] = []
    /// When the current batch's first event arrived, on `clock`.
    private var startedNs: UInt64 = 0

    /// Builds the operator from a flow's configuration; time runs on `MonotonicClock`.
    public init(config: Value) throws(OperatorError) {
        try self.init(config: config, clock: MonotonicClock.now)
    }

    /// Builds the operator with `clock` (monotonic nanoseconds) stamping each batch's start,
    /// so that tests can drive time; `tick(now:)` must read the same clock.
    public init(config: Value, clock: @escaping @Sendable () -> UInt64) throws(OperatorError) {
        let config = try OperatorConfig(operator: "batch", config, keys: ["count", "timeout_ms"])
        count = try config.int("count", in: 1...Int.max) ?? 100
        timeoutNs = try config.milliseconds("timeout_ms")
        self.clock = clock
    }

    /// Adds the event to the current batch, emitting the batch once it holds `count` events.
    public mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        if head == nil {
            var first = copy event
            first.payload = .null
            first.tracked = []
            head = first
            tracked = event.tracked
            // Bounded: `count` comes from configuration and may be huge.
            payloads.reserveCapacity(min(count, 1024))
            if timeoutNs != nil { startedNs = clock() }
        } else {
            tracked.append(event.id)
            tracked.append(contentsOf: event.tracked)
        }
        payloads.append(event.payload)
        if payloads.count >= count {
            flush(into: &output)
        }
    }

    /// Flushes a partial batch whose first event is older than `timeout_ms` (strictly, as Tremor).
    public mutating func tick(now: UInt64, into output: inout OperatorOutput) {
        guard let timeoutNs, head != nil, now > startedNs, now - startedNs > timeoutNs else { return }
        flush(into: &output)
    }

    /// Emits the partial batch, so the end of input loses nothing.
    public mutating func finish(into output: inout OperatorOutput) {
        flush(into: &output)
    }

    /// Emits the current batch, if any, and starts an empty one.
    private mutating func flush(into output: inout OperatorOutput) {
        guard var batch = head else { return }
        head = nil
        var items: [Value] = []
        swap(&items, &payloads)
        var ids: [EventId] = []
        swap(&ids, &tracked)
        batch.payload = .array(items)
        batch.tracked = ids
        output.emit(batch)
    }
}
