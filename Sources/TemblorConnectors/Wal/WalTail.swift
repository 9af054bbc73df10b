import DequeModule
import TemblorValue
import TemblorRuntime
import TemblorWAL

/// The newest records of a wal still in memory as the events they were made from, so that a
/// source that keeps up sends them on without reading and decoding what it just wrote. Bounded:
/// when the source falls behind, what does not fit is read from disk as always.
struct WalTail {
    /// A run of records appended together.
    struct Entry {
        var first: UInt64
        var events: [Event]
        /// Just past the last record on disk, where the reader goes on.
        var end: WalPosition
        var bytes: Int

        var next: UInt64 { first + UInt64(events.count) }
    }

    let maxEvents: Int
    let maxBytes: Int
    private var entries: Deque<Entry> = []
    private var events = 0
    private var bytes = 0

    init(maxEvents: Int = 65_536, maxBytes: Int = 16 << 20) {
        self.maxEvents = maxEvents
        self.maxBytes = maxBytes
    }

    /// Keeps `events`, stored as the records from `first` on taking `bytes` on disk, when they
    /// follow what is kept and fit; otherwise the source reads them from disk.
    mutating func add(first: UInt64, events added: [Event], end: WalPosition, bytes size: Int) {
        if let last = entries.last, last.next != first { return }
        guard events + added.count <= maxEvents, bytes + size <= maxBytes else { return }
        entries.append(Entry(first: first, events: added, end: end, bytes: size))
        events += added.count
        bytes += size
    }

    /// The kept run holding `sequence` (the reader's position) and the index of its event there,
    /// dropping older runs the source read from disk meanwhile; `nil` when the next records are
    /// only on disk.
    mutating func take(at sequence: UInt64) -> (entry: Entry, from: Int)? {
        while let first = entries.first, first.next <= sequence { drop() }
        guard let first = entries.first, first.first <= sequence else { return nil }
        drop()
        return (first, Int(sequence - first.first))
    }

    /// Forgets everything (the records are on disk all the same).
    mutating func clear() {
        entries.removeAll()
        events = 0
        bytes = 0
    }

    private mutating func drop() {
        let entry = entries.removeFirst()
        events -= entry.events.count
        bytes -= entry.bytes
    }
}
