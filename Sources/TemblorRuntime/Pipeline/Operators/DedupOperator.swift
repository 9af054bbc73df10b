import DequeModule
import TemblorValue

/// Drops events whose field value was already seen recently, so retried or duplicated
/// deliveries reach sinks once; dropped events are acknowledged.
///
/// Config: `field` (a payload path), `window_ms` (how long a value counts as seen, from the
/// event that passed with it; default 60000) and `max_keys` (values remembered at most, oldest
/// forgotten first; default 100000). Events without the field pass.
public struct DedupOperator: Operator, Sendable {
    /// Where in the payload the deduplicated value sits.
    public let field: ValuePath
    /// How long a value counts as seen, in nanoseconds.
    public let windowNs: UInt64
    /// How many values are remembered at most; bounds memory under many distinct values.
    public let maxKeys: Int

    /// A remembered value and when the event carrying it passed.
    private struct Sighting: Sendable {
        var key: Value
        var atNs: UInt64
    }

    private let clock: @Sendable () -> UInt64
    private var seen: Set<Value> = []
    /// The members of `seen`, oldest first: expiry and eviction both take from the front.
    private var order: Deque<Sighting> = []

    /// Builds the operator from a flow's configuration; time runs on `MonotonicClock`.
    public init(config: Value) throws(OperatorError) {
        try self.init(config: config, clock: MonotonicClock.now)
    }

    /// Builds the operator with `clock` (monotonic nanoseconds), so that tests can drive time.
    public init(config: Value, clock: @escaping @Sendable () -> UInt64) throws(OperatorError) {
        let config = try OperatorConfig(operator: "dedup", config, keys: ["field", "window_ms", "max_keys"])
        field = try config.path("field")
        windowNs = try config.milliseconds("window_ms") ?? 60_000_000_000
        maxKeys = try config.int("max_keys", in: 1...Int.max) ?? 100_000
        self.clock = clock
    }

    /// Forgets expired values, then emits the event or drops it as a repeat.
    public mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        let now = clock()
        while let oldest = order.first, now >= oldest.atNs, now - oldest.atNs >= windowNs {
            seen.remove(order.removeFirst().key)
        }
        guard let key = event.payload[path: field] else {
            output.emit(event)
            return
        }
        guard !seen.contains(key) else {
            output.drop(event)
            return
        }
        if seen.count >= maxKeys, let oldest = order.popFirst() {
            seen.remove(oldest.key)
        }
        seen.insert(key)
        order.append(Sighting(key: key, atNs: now))
        output.emit(event)
    }
}
