import NIOPosix
import TemblorRuntime
import TemblorValue
import TemblorWAL

/// The `in` side of a wal: appends each batch to the log and acknowledges it upstream only once
/// it is durable under the fsync policy. When the log is full it opens its breaker, which holds
/// the sources upstream, and waits for the downstream side to free space: it never drops.
struct WalSink: Sink {
    /// At most this many events share one write and one fsync.
    static let groupLimit = 16_384

    let connection: WalConnection

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        let log = connection.log
        let pool = NIOThreadPool.singleton
        let syncer: Task<Void, Never>? =
            if case .interval(let ms) = connection.config.fsync {
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(ms))
                        do { try await pool.runIfActive { try log.sync() } } catch { context.logger.error("\(context.name): \(error)") }
                    }
                }
            } else { nil }
        defer {
            syncer?.cancel()
            connection.inputEnded()
        }
        // The last write of a batch goes on while the next batch is encoded; writes stay in order.
        var writing: Task<Void, any Error>?
        while var batch = await input.next() {
            // One fsync covers everything that queued up during the last one (group commit).
            while batch.count < Self.groupLimit, let more = input.nextIfQueued() { batch += more }
            var payloads: [[UInt8]] = []
            payloads.reserveCapacity(batch.count)
            // The batch itself unless an event cannot be stored: then only those that can.
            var refused: [Int] = []
            for index in batch.indices {
                do {
                    payloads.append(try WalEventCodec.encode(batch[index]))
                } catch {
                    refused.append(index)
                    context.fail([batch[index]], reason: "the wal cannot store this event: \(error)")
                }
            }
            let events = refused.isEmpty ? batch : Self.removing(refused, from: batch)
            try await writing?.value
            writing = nil
            var start = 0
            while start < events.count {
                let count = try await room(for: payloads[start...], context)
                if count == 0 {
                    // One event larger than the whole wal: it can never be stored.
                    let size = payloads[start].count
                    let limit = min(WalFormat.maxPayload, log.options.maxBytes - WalFormat.segmentHeaderSize - WalFormat.recordHeaderSize)
                    context.fail([events[start]], reason: "\(WalError.recordTooLarge(bytes: size, limit: limit))")
                    start += 1
                    continue
                }
                let chunk = Array(payloads[start..<(start + count)])
                let stored = count == events.count ? events : Array(events[start..<(start + count)])
                start += count
                if start == events.count {
                    writing = Task { try await commit(chunk, acknowledging: stored, pool: pool, context) }
                } else {
                    try await commit(chunk, acknowledging: stored, pool: pool, context)
                }
            }
        }
        try await writing?.value
        try await pool.runIfActive { try log.sync() }
    }

    /// `batch` without the events at `indices` (ascending).
    private static func removing(_ indices: [Int], from batch: [Event]) -> [Event] {
        var kept: [Event] = []
        kept.reserveCapacity(batch.count - indices.count)
        var next = indices.makeIterator()
        var skip = next.next()
        for index in batch.indices {
            if index == skip {
                skip = next.next()
            } else {
                kept.append(batch[index])
            }
        }
        return kept
    }

    /// Makes `payloads` durable, lets the source side see them, and acknowledges their events upstream.
    private func commit(_ payloads: [[UInt8]], acknowledging events: [Event], pool: NIOThreadPool, _ context: SinkContext) async throws {
        let written = try await write(payloads, pool: pool)
        connection.log.publish()
        // Published first: a source handed these from memory then finds them on disk behind it.
        if let (first, end) = written {
            let bytes = payloads.reduce(0) { $0 + WalLog.recordSize(payload: $1.count) }
            connection.tail.withLock { $0.add(first: first, events: events, end: end, bytes: bytes) }
        }
        connection.wake.fire()
        context.ack(events)
    }

    /// Appends and syncs as the policy says, off the cooperative threads; the first sequence
    /// written and where the last record ends.
    private func write(_ payloads: [[UInt8]], pool: NIOThreadPool) async throws -> (UInt64, WalPosition)? {
        let log = connection.log
        switch connection.config.fsync {
        case .batch:
            return try await pool.runIfActive {
                let written = try log.appendLocated(payloads)
                try log.sync()
                return written.map { ($0.sequences.lowerBound, $0.end) }
            }
        case .always:
            return try await pool.runIfActive {
                var first: UInt64?
                var end: WalPosition?
                for payload in payloads {
                    let written = try log.appendLocated([payload])
                    try log.sync()
                    first = first ?? written?.sequences.lowerBound
                    end = written?.end ?? end
                }
                guard let first, let end else { return nil }
                return (first, end)
            }
        case .interval:
            return try await pool.runIfActive { try log.appendLocated(payloads).map { ($0.sequences.lowerBound, $0.end) } }
        }
    }

    /// How many of `payloads`, from the first, fit in the log now; waits (breaker open, sources
    /// upstream held) while not even the first does. 0 only when the first can never fit.
    private func room(for payloads: ArraySlice<[UInt8]>, _ context: SinkContext) async throws -> Int {
        let log = connection.log
        guard let first = payloads.first else { return 0 }
        if first.count > WalFormat.maxPayload || WalLog.recordSize(payload: first.count) > log.options.maxBytes - WalFormat.segmentHeaderSize { return 0 }
        var held = false
        defer {
            if held {
                context.breaker.close()
                context.logger.info("\(context.name): the wal has room again")
            }
        }
        while true {
            try Task.checkCancellation()
            let seen = log.spaceGeneration
            var bytes = 0
            var count = 0
            for payload in payloads {
                let size = WalLog.recordSize(payload: payload.count)
                guard log.fits(bytes + size) else { break }
                bytes += size
                count += 1
            }
            if count > 0 { return count }
            if try log.rotateIfAcknowledged() { continue }
            if !held {
                held = true
                context.breaker.open()
                context.logger.warning(
                    "\(context.name): the wal at \(log.directory) is full (\(log.bytes) of \(log.options.maxBytes) bytes); holding the sources upstream until what it holds is delivered")
            }
            await log.waitForSpace(after: seen)
        }
    }
}
