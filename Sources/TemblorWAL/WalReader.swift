/// Reads a wal's records in order from a starting sequence, following the writer: what it
/// publishes becomes readable, and a reader at the end waits for more. Owned by one task.
public struct WalReader: ~Copyable {
    private let log: WalLog
    /// The sequence the next record read must have at least.
    public private(set) var nextSequence: UInt64
    private var segmentFirst: UInt64?
    private var scanner: WalSegmentScanner?
    /// Stretches of damaged bytes met while reading (those found when opening are in `recovery`).
    public private(set) var damagedRegions = 0
    /// Whether the scanner's limit is its segment's final size (the segment was not the newest).
    private var scannerAtFinalLimit = false
    /// What the last positioning saw published, and the newest segment then.
    private var lastLook: (published: UInt64, newest: UInt64)?

    /// A reader from `sequence` on (the oldest unacknowledged record, say).
    public init(_ log: WalLog, from sequence: UInt64) {
        self.log = log
        self.nextSequence = sequence
    }

    /// Where the next scanner starts in its segment, when a skip said so (else after the header).
    private var resumeOffset: Int?

    /// Starts again from `sequence` (a redelivery after a fail).
    public mutating func rewind(to sequence: UInt64) {
        nextSequence = sequence
        segmentFirst = nil
        scanner = nil
        resumeOffset = nil
    }

    /// Goes on at `sequence`, whose record starts at `position`: the records before it were
    /// handed over from memory, and are not read again.
    public mutating func skip(to sequence: UInt64, at position: WalPosition) {
        nextSequence = sequence
        let sameSegment = segmentFirst == position.segment
        segmentFirst = position.segment
        if sameSegment, scanner != nil, scanner!.seek(to: position.offset, after: sequence - 1) {
            resumeOffset = nil
        } else {
            scanner = nil
            resumeOffset = position.offset
        }
    }

    /// Up to `limit` records, or fewer when fewer are published; empty at the end.
    public mutating func read(limit: Int, maxBytes: Int = 4 << 20) throws(WalError) -> [WalRecord] {
        var records: [WalRecord] = []
        var bytes = 0
        lastLook = nil
        while records.count < limit && bytes < maxBytes {
            guard try position() else { break }
            // The segment's readable part, without looking at the log's state again per record.
            while records.count < limit && bytes < maxBytes, let entry = try scanner!.next() {
                switch entry {
                case .record(let sequence, let payload, _, _):
                    guard sequence >= nextSequence else { continue }
                    records.append(WalRecord(sequence: sequence, payload: payload))
                    bytes += payload.count
                    nextSequence = sequence + 1
                case .damaged, .tail:
                    damagedRegions += 1
                }
            }
            guard records.count < limit && bytes < maxBytes else { break }
            // At the readable end of this segment: go on in the next one, but only once this one
            // was complete when looked at. Still being written then, it may have grown since (its
            // last records written just before the next segment began): the next read looks again.
            guard scannerAtFinalLimit, let following = nextSegment() else { break }
            segmentFirst = following
            scanner = nil
        }
        if records.isEmpty, let (published, newest) = lastLook, published >= nextSequence, newest == segmentFirst {
            // Everything published when this read looked was scanned: records up to `published`
            // that did not come back are damaged, passed over rather than waited for.
            nextSequence = published + 1
        }
        return records
    }

    /// Waits until records after `nextSequence - 1` are published, or the wal closed.
    public func waitForRecords() async {
        let seen = log.published.generation
        let ready = log.state.withLock { $0.closed || $0.published >= nextSequence || $0.segments.last.map { $0.first > nextSequence } ?? false }
        if ready { return }
        await log.published.wait(after: seen)
    }

    /// Puts the scanner on the segment holding `nextSequence` with its readable limit; `false`
    /// when there is nothing to read.
    private mutating func position() throws(WalError) -> Bool {
        let snapshot = log.state.withLock { state in (state.segments, state.publishedBytes, state.closed, state.published) }
        let (segments, publishedBytes, closed, published) = snapshot
        guard !closed, !segments.isEmpty else { return false }
        lastLook = (published, segments[segments.count - 1].first)
        if segmentFirst == nil || !segments.contains(where: { $0.first == segmentFirst }) {
            scanner = nil
            resumeOffset = nil
            let holding = segments.last(where: { $0.first <= nextSequence }) ?? segments[0]
            segmentFirst = holding.first
        }
        guard let index = segments.firstIndex(where: { $0.first == segmentFirst }) else { return false }
        let segment = segments[index]
        scannerAtFinalLimit = index != segments.count - 1
        let limit = scannerAtFinalLimit ? segment.bytes : publishedBytes
        if scanner == nil {
            let file = try WalFile.open(segment.path, readOnly: true)
            let start = resumeOffset ?? WalFormat.segmentHeaderSize
            scanner = WalSegmentScanner(file: file, offset: start, limit: limit, lastSequence: resumeOffset == nil ? nil : nextSequence - 1)
            resumeOffset = nil
        } else {
            scanner!.limit = limit
        }
        return true
    }

    private func nextSegment() -> UInt64? {
        log.state.withLock { state in state.segments.first(where: { $0.first > (segmentFirst ?? 0) })?.first }
    }
}
