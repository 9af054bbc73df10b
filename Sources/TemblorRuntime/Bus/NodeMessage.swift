import TemblorValue

/// What travels on the bus into a pipeline or sink: batches of events, and clock ticks for
/// operators with timeouts. Batching amortises the cost of crossing tasks over many events.
public enum NodeMessage: Sendable {
    case batch([Event])
    /// Monotonic nanoseconds, sent by the pipeline's ticker.
    case tick(UInt64)
}
