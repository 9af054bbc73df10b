import Synchronization
import TemblorRuntime
import TemblorValue
import TemblorWAL

/// The `out` side of a wal: sends every record not yet acknowledged downstream, in order, from
/// the oldest (also after a restart), then follows what the sink side appends. Acks move the
/// watermark that lets the log reclaim segments; a fail sends again from the failed record on,
/// after the connector's reconnect backoff.
struct WalSource: Source {
    let connection: WalConnection
    let reconnect: ReconnectStrategy

    func run(_ context: SourceContext) async throws {
        let log = connection.log
        let wake = connection.wake
        let connection = self.connection
        connection.delivery.withLock { $0 = WalDelivery(watermark: log.acknowledged) }
        let sourceId = context.sourceId
        context.onAcknowledgements { acknowledgement in
            let moved = connection.delivery.withLock { delivery in
                var moved = false
                for id in acknowledgement.ids where id.source == sourceId {
                    if acknowledgement.delivered {
                        moved = delivery.acknowledge(id.sequence) || moved
                    } else {
                        delivery.fail(id.sequence)
                    }
                }
                return moved || !acknowledgement.delivered
            }
            if moved { wake.fire() }
        }
        var reader = WalReader(log, from: log.acknowledged + 1)
        // A run of records taken from the tail, and the index of the next of its events to send.
        var hot: (entry: WalTail.Entry, from: Int)?
        var retry = 0
        var committed = log.acknowledged
        var lastPersist = MonotonicClock.now()
        while !Task.isCancelled {
            let seen = wake.generation
            // What was delivered may be reclaimed; the watermark reaches disk a few times a second.
            let watermark = connection.delivery.withLock { $0.watermark }
            if watermark > committed {
                try log.acknowledge(through: watermark)
                committed = watermark
                retry = 0
                let now = MonotonicClock.now()
                if now - lastPersist > 100_000_000 {
                    try log.persistAcknowledged()
                    lastPersist = now
                }
            }
            if let from = connection.delivery.withLock({ $0.firstFailed }) {
                retry += 1
                guard let delay = reconnect.delay(beforeRetry: retry) else {
                    context.logger.error(
                        "\(context.name): giving up after \(retry - 1) redeliveries; the records from \(from) on stay in \(log.directory) for the next start")
                    return
                }
                context.logger.warning("\(context.name): record \(from) was not delivered; sending again from it in \(delay)")
                try await Task.sleep(for: delay)
                let at = hot.map { $0.entry.first + UInt64($0.from) } ?? reader.nextSequence
                if let start = connection.delivery.withLock({ $0.rewind(readerAt: at) }) {
                    hot = nil
                    reader.rewind(to: start)
                }
                continue
            }
            // Records the sink side still holds as events go on from memory, the disk skipped.
            if hot == nil { hot = connection.tail.withLock { $0.take(at: reader.nextSequence) } }
            if let (entry, from) = hot {
                let end = min(from + context.batchSize, entry.events.count)
                let events = connection.delivery.withLock { delivery in
                    var events: [Event] = []
                    events.reserveCapacity(end - from)
                    for index in from..<end {
                        let sequence = entry.first + UInt64(index)
                        guard !delivery.isDelivered(sequence) else { continue }
                        let event = entry.events[index]
                        events.append(Event(
                            payload: event.payload, meta: event.meta, ingestNs: event.ingestNs,
                            id: EventId(source: sourceId, stream: 0, sequence: sequence)))
                    }
                    return events
                }
                if end == entry.events.count {
                    reader.skip(to: entry.next, at: entry.end)
                    hot = nil
                } else {
                    hot = (entry, end)
                }
                await context.send(events)
                continue
            }
            let position = reader.nextSequence
            let records = try reader.read(limit: context.batchSize)
            if records.isEmpty {
                if reader.nextSequence > position { connection.delivery.withLock { $0.passed(position..<reader.nextSequence) } }
                let next = reader.nextSequence
                let settled = connection.delivery.withLock { $0.isSettled(before: next) }
                if !connection.receiving && settled && log.publishedSequence < reader.nextSequence { return }
                await wake.wait(after: seen)
                continue
            }
            // One look at the delivery state per batch: sequences with no record between two
            // read ones were damaged (nothing to wait for), and a redelivery skips what arrived.
            let pending = connection.delivery.withLock { delivery in
                var expected = position
                return records.filter { record in
                    if record.sequence > expected { delivery.passed(expected..<record.sequence) }
                    expected = record.sequence + 1
                    return !delivery.isDelivered(record.sequence)
                }
            }
            var events: [Event] = []
            events.reserveCapacity(pending.count)
            for record in pending {
                do {
                    let stored = try WalEventCodec.decode(record.payload)
                    events.append(Event(
                        payload: stored.payload, meta: stored.meta, ingestNs: stored.ingestNs,
                        id: EventId(source: sourceId, stream: 0, sequence: record.sequence)))
                } catch {
                    context.logger.error("\(context.name): record \(record.sequence) in \(log.directory) cannot be read back (\(error)); skipped")
                    connection.delivery.withLock { $0.passed(record.sequence..<(record.sequence + 1)) }
                }
            }
            await context.send(events)
        }
    }
}
