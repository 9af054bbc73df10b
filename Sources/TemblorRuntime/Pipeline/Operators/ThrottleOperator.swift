import TemblorValue

/// Lets at most `rate` events per second through, with bursts of up to `burst`, so a fast
/// source cannot flood a slow sink; the rest are dropped (acknowledged) or sent to `err`.
///
/// A token bucket on monotonic time, kept as a theoretical arrival time (GCRA): one integer of
/// state, no refill loop. Rates above a billion events per second do not limit.
public struct ThrottleOperator: Operator, Sendable {
    /// What happens to events over the rate.
    public enum Overflow: String, Sendable {
        /// Consumed and acknowledged, as Tremor does.
        case drop
        /// Sent to the `err` port, unchanged.
        case err
    }

    /// Events per second.
    public let rate: Double
    /// Events that may pass at once after a quiet period.
    public let burst: Double
    /// Where events over the rate go.
    public let overflow: Overflow

    private let clock: @Sendable () -> UInt64
    /// Nanoseconds one event costs.
    private let intervalNs: UInt64
    /// How far ahead of now the theoretical arrival time may run: room for `burst - 1` events.
    private let toleranceNs: UInt64
    /// When the bucket would be full again if no event came; 0 starts it full.
    private var theoreticalArrivalNs: UInt64 = 0

    /// Builds the operator from a flow's configuration; time runs on `MonotonicClock`.
    public init(config: Value) throws(OperatorError) {
        try self.init(config: config, clock: MonotonicClock.now)
    }

    /// Builds the operator with `clock` (monotonic nanoseconds), so that tests can drive time.
    public init(config: Value, clock: @escaping @Sendable () -> UInt64) throws(OperatorError) {
        let config = try OperatorConfig(operator: "throttle", config, keys: ["rate", "burst", "overflow"])
        guard let rate = try config.number("rate") else {
            throw config.error("rate", "missing; give the events per second to let through, as in rate: 100")
        }
        // The lower bound keeps one event's cost in nanoseconds within UInt64.
        guard rate >= 1e-9 else {
            throw config.error("rate", "expected events per second above 0 (at least 1e-9), got \(config.value("rate") ?? .null)")
        }
        let interval = (1e9 / rate).rounded()
        let burst = try config.number("burst") ?? max(rate, 1)
        guard burst >= 1 else {
            throw config.error("burst", "expected a number of events of at least 1, got \(config.value("burst") ?? .null)")
        }
        let overflowName = try config.string("overflow") ?? Overflow.drop.rawValue
        guard let overflow = Overflow(rawValue: overflowName) else {
            throw config.error("overflow", "expected drop or err, got '\(overflowName)'")
        }
        self.rate = rate
        self.burst = burst
        self.overflow = overflow
        self.clock = clock
        intervalNs = UInt64(interval)
        let tolerance = ((burst - 1) * interval).rounded()
        toleranceNs = tolerance < 1.8e19 ? UInt64(tolerance) : .max
    }

    /// Emits the event if the bucket holds a token, else applies `overflow`.
    public mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        let now = clock()
        let arrival = max(theoreticalArrivalNs, now)
        guard arrival - now <= toleranceNs else {
            switch overflow {
            case .drop: output.drop(event)
            case .err: output.emit(event, on: .err)
            }
            return
        }
        let (next, overflowed) = arrival.addingReportingOverflow(intervalNs)
        theoreticalArrivalNs = overflowed ? .max : next
        output.emit(event)
    }
}
