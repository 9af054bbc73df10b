import TemblorValue

/// The queues one output port feeds: every linked node gets every batch (fan-out).
public struct Outlet: Sendable {
    public let targets: [BoundedQueue<NodeMessage>]

    public init(targets: [BoundedQueue<NodeMessage>]) {
        self.targets = targets
    }

    /// Whether anything is linked to this port.
    public var isLinked: Bool { !targets.isEmpty }

    /// Sends a batch to every target, waiting while any is full.
    public func send(_ batch: [Event]) async {
        guard !batch.isEmpty else { return }
        for target in targets {
            await target.send(.batch(batch))
        }
    }

    /// Tells every target that this producer is done.
    public func finish() {
        for target in targets {
            target.finishProducer()
        }
    }
}
