import Synchronization
import TemblorValue

/// Carries acks and fails back to the sources that produced events, and keeps the counts that
/// decide whether a finite run delivered everything.
public final class ContraflowRouter: Sendable {
    /// Per-source counts.
    public struct Counts: Sendable, Equatable {
        public var produced = 0
        public var acked = 0
        public var failed = 0

        public init(produced: Int = 0, acked: Int = 0, failed: Int = 0) {
            self.produced = produced
            self.acked = acked
            self.failed = failed
        }

        /// Events neither acked nor failed yet.
        public var pending: Int { produced - acked - failed }
    }

    private let counts: Mutex<[UInt64: Counts]>

    public init() {
        counts = Mutex([:])
    }

    /// A source produced `n` more events.
    public func produced(_ n: Int, by source: UInt64) {
        guard n > 0 else { return }
        counts.withLock { $0[source, default: Counts()].produced += n }
    }

    /// These events were delivered (written by a sink, or dropped on purpose by an operator).
    public func ack(_ ids: some Sequence<EventId>) {
        counts.withLock { table in
            for id in ids { table[id.source, default: Counts()].acked += 1 }
        }
    }

    /// These events could not be delivered.
    public func fail(_ ids: some Sequence<EventId>) {
        counts.withLock { table in
            for id in ids { table[id.source, default: Counts()].failed += 1 }
        }
    }

    /// The counts of one source.
    public func counts(of source: UInt64) -> Counts {
        counts.withLock { $0[source] ?? Counts() }
    }

    /// The counts of every source together.
    public var total: Counts {
        counts.withLock { table in
            table.values.reduce(into: Counts()) { sum, c in
                sum.produced += c.produced
                sum.acked += c.acked
                sum.failed += c.failed
            }
        }
    }
}
