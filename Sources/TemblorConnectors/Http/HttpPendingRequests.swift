import Synchronization
import TemblorRuntime
import TemblorValue

/// The requests of one `http_server` waiting for their events' fate, shared by its source side
/// (which waits) and its sink side (which answers), and told the acks and fails of its events.
final class HttpPendingRequests: Sendable {
    /// Ids are unique in the process, so a request id from another server never names one of ours.
    private static let nextId = Atomic<UInt64>(1)

    private struct Entry {
        var stream: UInt64
        var expected: Int
        /// When the request times out (504) unless decided by then.
        var deadline: ContinuousClock.Instant
        var delivered: Set<UInt64> = []
        var waiter: CheckedContinuation<HttpRequestFate, Never>?
        /// The fate, when it was decided before anyone waited for it.
        var fate: HttpRequestFate?
        var decided = false
    }

    private struct Table {
        var entries: [UInt64: Entry] = [:]
        var requestOfStream: [UInt64: UInt64] = [:]
    }

    private let table = Mutex(Table())
    private let answeringFlag = Atomic<Bool>(false)

    /// Whether the flow links something into the server's `in`, so that requests wait for an
    /// answer event rather than for their events' acks alone.
    var answering: Bool {
        get { answeringFlag.load(ordering: .relaxed) }
        set { answeringFlag.store(newValue, ordering: .relaxed) }
    }

    /// Requests registered and not yet answered.
    var count: Int { table.withLock { $0.entries.count } }

    func makeId() -> UInt64 {
        Self.nextId.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// A request's `expected` events, numbered in `stream`, are about to be sent; it times out
    /// at `deadline`.
    func register(_ id: UInt64, stream: UInt64, expected: Int, deadline: ContinuousClock.Instant) {
        table.withLock { table in
            table.entries[id] = Entry(stream: stream, expected: expected, deadline: deadline)
            table.requestOfStream[stream] = id
        }
    }

    /// Whether `id` names a request of this server still waiting for its fate.
    func isWaiting(_ id: UInt64) -> Bool {
        table.withLock { $0.entries[id].map { !$0.decided } ?? false }
    }

    /// Waits until the request's fate is decided (it may already be).
    func wait(_ id: UInt64) async -> HttpRequestFate {
        await withCheckedContinuation { continuation in
            let ready: HttpRequestFate? = table.withLock { table in
                guard var entry = table.entries[id] else { return .failed("request \(id) is not pending") }
                if let fate = entry.fate { return fate }
                entry.waiter = continuation
                table.entries[id] = entry
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Decides the request's fate unless it is decided already; `false` when it was (or when
    /// the request is unknown), so the caller knows its answer was not used.
    @discardableResult
    func decide(_ id: UInt64, _ fate: HttpRequestFate) -> Bool {
        let waiter: CheckedContinuation<HttpRequestFate, Never>?? = table.withLock { table in
            guard var entry = table.entries[id], !entry.decided else { return .none }
            entry.decided = true
            let waiter = entry.waiter
            entry.waiter = nil
            if waiter == nil { entry.fate = fate }
            table.entries[id] = entry
            return .some(waiter)
        }
        guard let waiter else { return false }
        waiter?.resume(returning: fate)
        return true
    }

    /// Times out the requests whose deadline passed (one sweep serves every request, rather
    /// than a timer each).
    func expire(now: ContinuousClock.Instant = .now) {
        let late = table.withLock { table in
            table.entries.compactMap { id, entry in !entry.decided && entry.deadline <= now ? id : nil }
        }
        for id in late { decide(id, .timedOut) }
    }

    /// The response is written: the request is forgotten.
    func remove(_ id: UInt64) {
        table.withLock { table in
            if let entry = table.entries.removeValue(forKey: id) { table.requestOfStream[entry.stream] = nil }
        }
    }

    /// Acks and fails of the server's events: a fail decides its request at once; a request is
    /// delivered once each of its events was acked (an event acked twice, by two sinks, counts once).
    func acknowledged(_ acknowledgement: Acknowledgement) {
        var decided: [(UInt64, HttpRequestFate)] = []
        table.withLock { table in
            for eventId in acknowledgement.ids {
                guard let id = table.requestOfStream[eventId.stream], var entry = table.entries[id], !entry.decided else { continue }
                if !acknowledgement.delivered {
                    decided.append((id, .failed(acknowledgement.reason ?? "an event of this request could not be delivered")))
                    continue
                }
                entry.delivered.insert(eventId.sequence)
                table.entries[id] = entry
                if entry.delivered.count >= entry.expected { decided.append((id, .delivered)) }
            }
        }
        for (id, fate) in decided { decide(id, fate) }
    }
}
