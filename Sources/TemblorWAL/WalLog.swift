import Synchronization

/// A write-ahead log in one directory: records appended in order, each with its sequence number,
/// read back in order by readers, acknowledged up to a watermark and reclaimed a segment at a
/// time. One process holds a directory at a time (its lock file).
///
/// Threading: `append`, `sync` and `rotate` may be called from any thread and are serialized by
/// the writer lock (they block on disk I/O: call them off the cooperative pool); readers and
/// `acknowledge` take only the state lock, never held across I/O except segment removal.
public final class WalLog: Sendable {
    /// The directory, as given.
    public let directory: String
    public let options: WalOptions
    /// What opening found and repaired.
    public let recovery: WalRecovery

    struct Segment {
        var first: UInt64
        var path: String
        var bytes: Int
        var last: UInt64?
    }

    struct State {
        /// By first sequence; the last one is being written.
        var segments: [Segment]
        /// The sequence the next record gets.
        var nextSequence: UInt64
        /// Records up to this one may be read (written, and durable when the policy says so).
        var published: UInt64
        /// The bytes of the newest segment that may be read.
        var publishedBytes: Int
        var acknowledged: UInt64
        var acknowledgedPersisted: UInt64
        var closed = false
    }

    struct Writer {
        var file: WalFile
        var first: UInt64
        var offset: Int
        /// Bytes written since the last sync.
        var dirty = false
    }

    let state: Mutex<State>
    let writer: Mutex<Writer?>
    let published = WalSignal()
    let freed = WalSignal()
    /// Held until `close`; the flock goes with its descriptor.
    private let lock: Mutex<WalLock?>

    /// Opens (creating when needed) the wal in `directory`: takes its lock, scans every segment,
    /// cuts a torn tail from the newest and starts a fresh segment to append to.
    public init(directory: String, options: WalOptions = WalOptions()) throws(WalError) {
        self.directory = directory
        self.options = options
        try WalFile.makeDirectory(directory)
        let held = try WalLock.acquire(directory)
        lock = Mutex(held)
        try WalFile.remove(directory + "/" + WalFormat.ackedFile + ".tmp")
        let scan = try WalScan.scan(directory)
        recovery = scan.recovery
        var segments: [Segment] = scan.segments.map {
            Segment(first: $0.firstSequence, path: directory + "/" + $0.name, bytes: $0.bytes, last: $0.lastSequence)
        }
        if scan.recovery.tornBytes > 0, var newest = segments.last, let end = scan.tailOffset {
            let file = try WalFile.open(newest.path)
            try file.truncate(to: end)
            try file.sync()
            newest.bytes = end
            segments[segments.count - 1] = newest
        }
        // A newest segment without records is replaced by the fresh one.
        if let newest = segments.last, newest.last == nil {
            try WalFile.remove(newest.path)
            segments.removeLast()
        }
        let last = segments.compactMap(\.last).max() ?? 0
        let next = max(last + 1, scan.acknowledged + 1, segments.last.map { $0.first } ?? 1)
        let fresh = try Self.createSegment(in: directory, first: next)
        segments.append(Segment(first: next, path: fresh.path, bytes: WalFormat.segmentHeaderSize, last: nil))
        state = Mutex(State(
            segments: segments, nextSequence: next, published: next - 1, publishedBytes: WalFormat.segmentHeaderSize,
            acknowledged: scan.acknowledged, acknowledgedPersisted: scan.acknowledged))
        writer = Mutex(Writer(file: fresh, first: next, offset: WalFormat.segmentHeaderSize))
    }

    /// Creates the segment starting at `first`, its header written and its name durable.
    static func createSegment(in directory: String, first: UInt64) throws(WalError) -> WalFile {
        let path = directory + "/" + WalFormat.segmentName(first: first)
        let file = try WalFile.open(path, create: true)
        try file.truncate(to: 0)
        try file.write(WalFormat.segmentHeader(first: first), at: 0)
        try file.sync()
        try WalFile.syncDirectory(directory)
        return file
    }

    /// Stops appends and reads and lets the directory's lock go.
    public func close() {
        state.withLock { $0.closed = true }
        writer.withLock { $0 = nil }
        lock.withLock { $0 = nil }
        published.fire()
        freed.fire()
    }

    /// The bytes every segment takes on disk.
    public var bytes: Int { state.withLock { $0.segments.reduce(0) { $0 + $1.bytes } } }

    /// Records appended and not acknowledged yet, by sequence range (empty when none).
    public var unacknowledged: ClosedRange<UInt64>? {
        state.withLock { state in
            let last = state.nextSequence - 1
            let first = max(state.acknowledged + 1, state.segments.first?.first ?? 1)
            return first <= last ? first...last : nil
        }
    }

    /// Every record up to this sequence was acknowledged (0 when none).
    public var acknowledged: UInt64 { state.withLock { $0.acknowledged } }

    /// The sequence of the newest record that readers may see (0 when none).
    public var publishedSequence: UInt64 { state.withLock { $0.published } }

    /// True once `close` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }
}
