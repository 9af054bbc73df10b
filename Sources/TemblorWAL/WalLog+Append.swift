extension WalLog {
    /// Whether `bytes` more (records with their headers) fit under `max_bytes` now, with the
    /// headers of the segments they may start.
    public func fits(_ bytes: Int) -> Bool {
        let headers = (bytes / max(options.segmentBytes - WalFormat.segmentHeaderSize, 1) + 2) * WalFormat.segmentHeaderSize
        return state.withLock { state in state.segments.reduce(0) { $0 + $1.bytes } + bytes + headers <= options.maxBytes }
    }

    /// The bytes one payload of `count` bytes takes in a segment.
    public static func recordSize(payload count: Int) -> Int { WalFormat.recordHeaderSize + count }

    /// Appends `payloads` as records, in order, and returns their sequences. Nothing is durable
    /// before `sync`, nor visible to readers before `publish`. Starts a new segment whenever
    /// the current one would pass `segment_bytes` (a record larger than that gets one alone).
    @discardableResult
    public func append(_ payloads: [[UInt8]]) throws(WalError) -> ClosedRange<UInt64>? {
        try appendLocated(payloads)?.sequences
    }

    /// `append`, telling also where the last record ends, so that a reader handed these records
    /// from memory can skip them on disk (`WalReader.skip(to:at:)`).
    public func appendLocated(_ payloads: [[UInt8]]) throws(WalError) -> WalAppended? {
        guard !payloads.isEmpty else { return nil }
        for payload in payloads where payload.count > WalFormat.maxPayload || Self.recordSize(payload: payload.count) > options.maxBytes {
            throw .recordTooLarge(bytes: payload.count, limit: min(WalFormat.maxPayload, options.maxBytes - WalFormat.recordHeaderSize))
        }
        return try writer.withLock { (slot) throws(WalError) -> WalAppended in
            guard var current = slot else { throw .closed(directory: directory) }
            var sequence = state.withLock { $0.nextSequence }
            let first = sequence
            var buffer: [UInt8] = []
            buffer.reserveCapacity(min(payloads.reduce(0) { $0 + Self.recordSize(payload: $1.count) }, options.segmentBytes))
            var written = 0
            for payload in payloads {
                let size = Self.recordSize(payload: payload.count)
                if current.offset + buffer.count + size > options.segmentBytes && current.offset + buffer.count > WalFormat.segmentHeaderSize {
                    try flush(&buffer, into: &current, through: sequence - 1)
                    current = try rotate(current, next: sequence)
                }
                payload.withUnsafeBytes { WalFormat.appendRecord(sequence: sequence, payload: $0, to: &buffer) }
                sequence += 1
                written += 1
            }
            try flush(&buffer, into: &current, through: sequence - 1)
            slot = current
            return WalAppended(sequences: first...(sequence - 1), end: WalPosition(segment: current.first, offset: current.offset))
        }
    }

    /// Writes `buffer` at the end of the current segment and records what it now holds.
    private func flush(_ buffer: inout [UInt8], into current: inout Writer, through last: UInt64) throws(WalError) {
        guard !buffer.isEmpty else { return }
        try current.file.write(buffer, at: current.offset)
        current.offset += buffer.count
        current.dirty = true
        let end = current.offset
        let first = current.first
        state.withLock { state in
            state.nextSequence = last + 1
            if let index = state.segments.lastIndex(where: { $0.first == first }) {
                state.segments[index].bytes = end
                state.segments[index].last = last
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes the current segment (durable first) and starts the next at `next`.
    private func rotate(_ current: Writer, next: UInt64) throws(WalError) -> Writer {
        if current.dirty { try current.file.sync() }
        let file = try Self.createSegment(in: directory, first: next)
        state.withLock { state in
            // Everything in the closed segment that was written may be read now that it is durable.
            state.segments.append(Segment(first: next, path: file.path, bytes: WalFormat.segmentHeaderSize, last: nil))
            state.publishedBytes = WalFormat.segmentHeaderSize
        }
        return Writer(file: file, first: next, offset: WalFormat.segmentHeaderSize)
    }

    /// Makes every record appended so far durable.
    public func sync() throws(WalError) {
        try writer.withLock { (slot) throws(WalError) in
            guard var current = slot, current.dirty else { return }
            try current.file.sync()
            current.dirty = false
            slot = current
        }
    }

    /// Lets readers see every record appended so far.
    public func publish() {
        let end = writer.withLock { $0.map { ($0.first, $0.offset) } }
        state.withLock { state in
            state.published = state.nextSequence - 1
            if let (first, offset) = end, state.segments.last?.first == first { state.publishedBytes = offset }
        }
        published.fire()
    }

    /// Starts a new segment when everything in the current one was acknowledged, so that a full
    /// wal can reclaim it; `false` when there is nothing to gain.
    public func rotateIfAcknowledged() throws(WalError) -> Bool {
        let rotated = try writer.withLock { (slot) throws(WalError) -> Bool in
            guard let current = slot, current.offset > WalFormat.segmentHeaderSize else { return false }
            let (next, acknowledged, published) = state.withLock { ($0.nextSequence, $0.acknowledged, $0.published) }
            guard acknowledged >= next - 1, published >= next - 1 else { return false }
            slot = try rotate(current, next: next)
            return true
        }
        if rotated { try reclaim() }
        return rotated
    }

    /// Waits until acknowledgements freed space, `seen` being `spaceGeneration` read before the
    /// writer found the wal full.
    public func waitForSpace(after seen: UInt64) async {
        await freed.wait(after: seen)
    }

    /// Read before checking `fits`, then passed to `waitForSpace`.
    public var spaceGeneration: UInt64 { freed.generation }
}
