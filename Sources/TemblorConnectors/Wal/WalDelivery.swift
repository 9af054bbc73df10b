/// What became of the records a wal's source sent downstream: the watermark below which every
/// one was delivered (what the wal may reclaim), and the oldest that failed (where a
/// redelivery starts). Sequences the reader passed over (damaged records) count as settled.
struct WalDelivery {
    /// Every record up to this sequence is delivered (or was never there to send).
    private(set) var watermark: UInt64
    /// The oldest record that failed since the last rewind.
    private(set) var firstFailed: UInt64?
    /// Delivered records above the watermark.
    private var settled: Set<UInt64> = []

    init(watermark: UInt64) {
        self.watermark = watermark
    }

    /// Whether `sequence` was delivered already (a redelivery skips it).
    func isDelivered(_ sequence: UInt64) -> Bool {
        sequence <= watermark || settled.contains(sequence)
    }

    /// True when everything before `next` (the reader's position) was delivered.
    func isSettled(before next: UInt64) -> Bool {
        watermark + 1 >= next
    }

    /// The sink delivered `sequence`; `true` when the watermark moved.
    @discardableResult
    mutating func acknowledge(_ sequence: UInt64) -> Bool {
        // In order, the usual case: the watermark moves without touching the set.
        if sequence == watermark + 1 {
            watermark = sequence
            if !settled.isEmpty {
                while settled.remove(watermark + 1) != nil { watermark += 1 }
            }
            return true
        }
        guard sequence > watermark, settled.insert(sequence).inserted else { return false }
        let before = watermark
        while settled.remove(watermark + 1) != nil { watermark += 1 }
        return watermark != before
    }

    /// The reader passed over `range` without a record to send (damaged, or reclaimed).
    mutating func passed(_ range: Range<UInt64>) {
        guard range.upperBound > watermark + 1 else { return }
        if range.lowerBound <= watermark + 1 {
            watermark = range.upperBound - 1
            while settled.remove(watermark + 1) != nil { watermark += 1 }
            settled = settled.filter { $0 > watermark }
        } else {
            for sequence in range { acknowledge(sequence) }
        }
    }

    /// The sink gave up on `sequence`: it is sent again, from the oldest failed one on.
    mutating func fail(_ sequence: UInt64) {
        guard !isDelivered(sequence) else { return }
        firstFailed = min(firstFailed ?? sequence, sequence)
    }

    /// Where a redelivery starts: at `firstFailed`, or earlier when the reader (at `position`)
    /// is not there yet, because a redelivery was interrupted by another fail.
    mutating func rewind(readerAt position: UInt64) -> UInt64? {
        guard let failed = firstFailed else { return nil }
        firstFailed = nil
        return min(failed, position)
    }
}
