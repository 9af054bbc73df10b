import CoreMetrics
import TemblorValue

/// The batches arriving at a sink, in order; ticks meant for pipelines are skipped.
public struct SinkInput: Sendable {
    let queue: BoundedQueue<NodeMessage>
    /// Events handed to the sink, counted per batch, when the flow keeps metrics.
    let events: Counter?

    public init(queue: BoundedQueue<NodeMessage>) {
        self.init(queue: queue, events: nil)
    }

    init(queue: BoundedQueue<NodeMessage>, events: Counter?) {
        self.queue = queue
        self.events = events
    }

    /// The next batch, or `nil` once every upstream node finished.
    public func next() async -> [Event]? {
        while let message = await queue.receive() {
            if case .batch(let batch) = message {
                events?.increment(by: batch.count)
                return batch
            }
        }
        return nil
    }

    /// The next batch if one is queued right now, else `nil` without waiting: a sink whose cost
    /// is per write rather than per event (an fsync) groups what arrived while it was busy.
    public func nextIfQueued() -> [Event]? {
        while let message = queue.tryReceive() {
            if case .batch(let batch) = message {
                events?.increment(by: batch.count)
                return batch
            }
        }
        return nil
    }
}
