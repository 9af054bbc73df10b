import CoreMetrics
import Synchronization
import TemblorValue

/// Carries acks and fails back to the sources that produced events, and keeps the counts that
/// decide whether a finite run delivered everything.
///
/// Counting happens on every batch of every sink, so it is lock-free: each source has its own
/// atomic counters, fixed when the flow is built. Sources with metrics counters also count their
/// acks and fails there, with one increment per run of events.
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

    /// What a source with metrics counts beside its atomics.
    struct SourceMetrics: Sendable {
        var acks: Counter
        var fails: Counter
        /// Entry to delivery of the first event of each delivered run.
        var latency: Timer
    }

    /// One source's counters.
    private final class Counters: Sendable {
        let produced = Atomic<Int>(0)
        let acked = Atomic<Int>(0)
        let failed = Atomic<Int>(0)
        let metrics: SourceMetrics?
        /// The source's subscription to its acks and fails, when it asked for one.
        let listener = Mutex<Listener?>(nil)

        init(metrics: SourceMetrics?) {
            self.metrics = metrics
        }

        func add(_ n: Int, delivered: Bool) {
            if delivered {
                acked.add(n, ordering: .relaxed)
                metrics?.acks.increment(by: n)
            } else {
                failed.add(n, ordering: .relaxed)
                metrics?.fails.increment(by: n)
            }
        }

        /// A run of events that entered at `ingestNs` (its first) was delivered at `nowNs`.
        func delivered(ingestNs: UInt64, nowNs: UInt64) {
            guard let metrics, nowNs > ingestNs else { return }
            metrics.latency.recordNanoseconds(Int64(clamping: nowNs - ingestNs))
        }
    }

    /// Where a source hears its acks and fails: a stream it reads, or a handler called in place.
    private struct Listener: Sendable {
        var tell: @Sendable (Acknowledgement) -> Void
        var finish: @Sendable () -> Void
    }

    private let counters: [Counters]
    /// Whether any source subscribed: without one, acking costs no id collection at all.
    private let listening = Atomic<Bool>(false)

    /// A router for sources numbered `0..<sourceCount` (their event ids' `source`).
    public convenience init(sourceCount: Int) {
        self.init(sourceCount: sourceCount, metrics: [])
    }

    /// A router whose source `i` also counts its acks and fails on `metrics[i]`, when there is one.
    init(sourceCount: Int, metrics: [SourceMetrics?]) {
        counters = (0..<max(sourceCount, 1)).map { index in
            Counters(metrics: index < metrics.count ? metrics[index] : nil)
        }
    }

    @inline(__always)
    private func counters(_ source: UInt64) -> Counters? {
        source < UInt64(counters.count) ? counters[Int(source)] : nil
    }

    /// A source produced `n` more events.
    public func produced(_ n: Int, by source: UInt64) {
        guard n > 0 else { return }
        counters(source)?.produced.add(n, ordering: .relaxed)
    }

    /// These events were delivered (written by a sink, or dropped on purpose by an operator),
    /// with every event each one tracks.
    public func ack(_ events: [Event]) {
        record(events, delivered: true)
    }

    /// These events could not be delivered; `reason` reaches the sources that listen.
    public func fail(_ events: [Event], reason: String? = nil) {
        record(events, delivered: false, reason: reason)
    }

    /// These ids were delivered.
    public func ack(ids: [EventId]) {
        record(ids: ids, delivered: true)
    }

    /// These ids could not be delivered.
    public func fail(ids: [EventId], reason: String? = nil) {
        record(ids: ids, delivered: false, reason: reason)
    }

    /// The acks and fails of `source`'s events, by id, from now on. One subscription per source.
    public func acknowledgements(of source: UInt64) -> AsyncStream<Acknowledgement> {
        let (stream, continuation) = AsyncStream<Acknowledgement>.makeStream()
        if let c = counters(source) {
            c.listener.withLock { $0 = Listener(tell: { continuation.yield($0) }, finish: { continuation.finish() }) }
            listening.store(true, ordering: .relaxed)
        } else {
            continuation.finish()
        }
        return stream
    }

    /// Calls `handler` with `source`'s acks and fails, on the task of the sink (or operator)
    /// that acks or fails, as it does so: no task switch on the way, so the handler must be
    /// quick and never wait. Replaces any subscription the source had.
    public func onAcknowledgements(of source: UInt64, _ handler: @escaping @Sendable (Acknowledgement) -> Void) {
        guard let c = counters(source) else { return }
        c.listener.withLock { $0 = Listener(tell: handler, finish: {}) }
        listening.store(true, ordering: .relaxed)
    }

    /// Ends every subscription (the flow has drained).
    func finishAcknowledgements() {
        for c in counters {
            c.listener.withLock { $0 }?.finish()
        }
    }

    /// Tells subscribed sources which of their ids were delivered or failed.
    private func tell(_ ids: [EventId], delivered: Bool, reason: String?) {
        var bySource: [UInt64: [EventId]] = [:]
        for id in ids where counters(id.source)?.listener.withLock({ $0 != nil }) == true {
            bySource[id.source, default: []].append(id)
        }
        for (source, ids) in bySource {
            counters(source)?.listener.withLock { $0 }?.tell(Acknowledgement(ids: ids, delivered: delivered, reason: reason))
        }
    }

    /// Counts runs of events from one source with one atomic add per run.
    private func record(_ events: [Event], delivered: Bool, reason: String? = nil) {
        if listening.load(ordering: .relaxed) {
            var ids: [EventId] = []
            ids.reserveCapacity(events.count)
            events.withUnsafeBufferPointer { events in
                for index in events.indices {
                    ids.append(events[index].id)
                    if !events[index].tracked.isEmpty { ids.append(contentsOf: events[index].tracked) }
                }
            }
            tell(ids, delivered: delivered, reason: reason)
        }
        var source = UInt64.max
        var run = 0
        let nowNs = delivered ? Event.nowNs() : 0
        // Through the buffer, so that each event's fields are read in place rather than the event copied.
        events.withUnsafeBufferPointer { events in
            for index in events.indices {
                let id = events[index].id.source
                if id != source {
                    if run > 0 { counters(source)?.add(run, delivered: delivered) }
                    source = id
                    run = 0
                    if delivered { counters(source)?.delivered(ingestNs: events[index].ingestNs, nowNs: nowNs) }
                }
                run += 1
                if !events[index].tracked.isEmpty { record(ids: events[index].tracked, delivered: delivered, tellListeners: false) }
            }
        }
        if run > 0 { counters(source)?.add(run, delivered: delivered) }
    }

    /// Counts runs of ids from one source with one add per run.
    private func record(ids: [EventId], delivered: Bool, reason: String? = nil, tellListeners: Bool = true) {
        if tellListeners, listening.load(ordering: .relaxed) {
            tell(ids, delivered: delivered, reason: reason)
        }
        var source = UInt64.max
        var run = 0
        for id in ids {
            if id.source != source {
                if run > 0 { counters(source)?.add(run, delivered: delivered) }
                source = id.source
                run = 0
            }
            run += 1
        }
        if run > 0 { counters(source)?.add(run, delivered: delivered) }
    }

    /// The counts of one source.
    public func counts(of source: UInt64) -> Counts {
        guard let c = counters(source) else { return Counts() }
        return Counts(produced: c.produced.load(ordering: .relaxed), acked: c.acked.load(ordering: .relaxed), failed: c.failed.load(ordering: .relaxed))
    }

    /// The counts of every source together.
    public var total: Counts {
        (0..<counters.count).reduce(into: Counts()) { sum, index in
            let c = counts(of: UInt64(index))
            sum.produced += c.produced
            sum.acked += c.acked
            sum.failed += c.failed
        }
    }
}
