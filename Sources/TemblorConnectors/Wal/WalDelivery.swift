/// What became of the records a wal's source sent downstream: the watermark below which every
/// one was delivered (what the wal may reclaim), and the oldest that failed (where a
/// redelivery starts). Records the reader skipped (damaged) never hold the watermark back.
struct WalDelivery {
    /// Every record up to this sequence is delivered (or was never sent: damaged, or acked earlier).
    private(set) var watermark: UInt64
    /// The oldest record that failed since the last rewind.
    private(set) var firstFailed: UInt64?
    /// Sent records above the watermark, ascending from `head`, and whether each was delivered.
    private var sequences: [UInt64] = []
    private var delivered: [Bool] = []
    private var head = 0
    private var lastSent: UInt64

    init(watermark: UInt64) {
        self.watermark = watermark
        self.lastSent = watermark
    }

    /// Records sent and not delivered yet.
    var outstanding: Int { delivered[head...].lazy.filter { !$0 }.count }

    /// True when everything sent was delivered.
    var isSettled: Bool { head == sequences.count }

    /// `sequence` was sent downstream.
    mutating func sent(_ sequence: UInt64) {
        if let last = sequences.last, last > sequence {
            // A redelivery, among records delivered after the one that failed.
            let at = insertionIndex(of: sequence)
            sequences.insert(sequence, at: at)
            delivered.insert(false, at: at)
        } else {
            sequences.append(sequence)
            delivered.append(false)
        }
        lastSent = max(lastSent, sequence)
    }

    /// A redelivery passed over `sequence`, delivered already.
    mutating func skipped(_ sequence: UInt64) {
        lastSent = max(lastSent, sequence)
        _ = advance()
    }

    /// Whether `sequence` was already delivered (a redelivery skips it).
    func isDelivered(_ sequence: UInt64) -> Bool {
        if sequence <= watermark { return true }
        guard let index = index(of: sequence) else { return false }
        return delivered[index]
    }

    /// The sink delivered `sequence`; `true` when the watermark moved.
    mutating func acknowledge(_ sequence: UInt64) -> Bool {
        guard sequence > watermark, let index = index(of: sequence) else { return false }
        delivered[index] = true
        return advance()
    }

    /// The sink gave up on `sequence`: it is sent again, from the oldest failed one on.
    mutating func fail(_ sequence: UInt64) {
        guard sequence > watermark, let index = index(of: sequence), !delivered[index] else { return }
        firstFailed = min(firstFailed ?? sequence, sequence)
    }

    /// A redelivery starts at `firstFailed`: what was sent from there and not delivered is
    /// forgotten (it is sent again), what was delivered is kept so that it is skipped.
    mutating func rewind() -> UInt64? {
        guard let from = firstFailed else { return nil }
        firstFailed = nil
        var keptSequences: [UInt64] = []
        var keptDelivered: [Bool] = []
        for i in head..<sequences.count where sequences[i] < from || delivered[i] {
            keptSequences.append(sequences[i])
            keptDelivered.append(delivered[i])
        }
        sequences = keptSequences
        delivered = keptDelivered
        head = 0
        lastSent = from - 1
        return from
    }

    private func index(of sequence: UInt64) -> Int? {
        let low = insertionIndex(of: sequence)
        return low < sequences.count && sequences[low] == sequence ? low : nil
    }

    /// The first index at or after `head` whose sequence is not below `sequence`.
    private func insertionIndex(of sequence: UInt64) -> Int {
        var low = head
        var high = sequences.count
        while low < high {
            let mid = (low + high) / 2
            if sequences[mid] < sequence { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private mutating func advance() -> Bool {
        let before = watermark
        while head < sequences.count && delivered[head] { head += 1 }
        // Never past what this pass sent: during a redelivery, records not sent again yet are unknown.
        let limit = head < sequences.count ? sequences[head] - 1 : UInt64.max
        watermark = max(watermark, min(limit, lastSent))
        if head > 4096 && head * 2 > sequences.count {
            sequences.removeFirst(head)
            delivered.removeFirst(head)
            head = 0
        }
        return watermark != before
    }
}
