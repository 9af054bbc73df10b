import Synchronization

/// When the sink's input ended (the flow is finishing or stopping): from then on, requests
/// still being retried get a bounded grace instead of retrying forever, so a stop never hangs
/// on a server that is down.
final class HttpClientDrain: Sendable {
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)
    let grace: Duration

    init(grace: Duration = .seconds(30)) {
        self.grace = grace
    }

    func begin() {
        deadline.withLock { $0 = .now + grace }
    }

    /// Whether the grace is over: retrying requests give up.
    var expired: Bool {
        deadline.withLock { $0.map { ContinuousClock.now >= $0 } ?? false }
    }
}
