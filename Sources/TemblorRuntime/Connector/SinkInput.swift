import TemblorValue

/// The batches arriving at a sink, in order; ticks meant for pipelines are skipped.
public struct SinkInput: Sendable {
    let queue: BoundedQueue<NodeMessage>

    public init(queue: BoundedQueue<NodeMessage>) {
        self.queue = queue
    }

    /// The next batch, or `nil` once every upstream node finished.
    public func next() async -> [Event]? {
        while let message = await queue.receive() {
            if case .batch(let events) = message { return events }
        }
        return nil
    }
}
