import Foundation
import Testing
import TemblorWAL

@Suite struct WalLogTests {
    @Test func recordsComeBackInOrderAndByteForByteAfterReopening() throws {
        let dir = WalTestDirectory()
        let payloads = (0..<500).map(payload) + [[], [UInt8](repeating: 0, count: 70_000)]
        do {
            let log = try WalLog(directory: dir.path)
            #expect(try log.append(Array(payloads[0..<200])) == 1...200)
            #expect(try log.append(Array(payloads[200...])) == 201...UInt64(payloads.count))
            try log.sync()
            log.publish()
            var reader = WalReader(log, from: 1)
            let records = try reader.read(limit: 10_000, maxBytes: .max)
            #expect(records.map(\.payload) == payloads)
            #expect(records.map(\.sequence) == Array(1...UInt64(payloads.count)))
        }
        let log = try WalLog(directory: dir.path)
        #expect(log.recovery.isClean)
        var reader = WalReader(log, from: 1)
        #expect(try reader.read(limit: 10_000, maxBytes: .max).map(\.payload) == payloads)
        #expect(log.unacknowledged == 1...UInt64(payloads.count))
        // Appends go on after the last sequence.
        #expect(try log.append([payload(1)]) == UInt64(payloads.count + 1)...UInt64(payloads.count + 1))
    }

    @Test func readersSeeOnlyWhatWasPublished() async throws {
        let dir = WalTestDirectory()
        let log = try WalLog(directory: dir.path)
        var reader = WalReader(log, from: 1)
        try log.append([payload(1), payload(2)])
        #expect(try reader.read(limit: 10).isEmpty)
        log.publish()
        #expect(try reader.read(limit: 10).map(\.sequence) == [1, 2])
        let waiting = Task { [reader = WalReader(log, from: 3)] in
            await reader.waitForRecords()
            return log.publishedSequence
        }
        try await Task.sleep(for: .milliseconds(20))
        try log.append([payload(3)])
        log.publish()
        #expect(await waiting.value == 3)
    }

    @Test func segmentsRotateAndAcknowledgedOnesAreReclaimed() throws {
        let dir = WalTestDirectory()
        let log = try WalLog(directory: dir.path, options: WalOptions(maxBytes: 1 << 20, segmentBytes: 4096))
        for batch in 0..<20 {
            try log.append((0..<10).map { payload(batch * 10 + $0) })
        }
        try log.sync()
        log.publish()
        let segments = dir.segments
        #expect(segments.count >= 3)
        #expect(segments.first == "00000000000000000001.seg")
        // Each segment stays under segment_bytes.
        for name in segments { #expect(dir.bytes(name).count <= 4096) }
        var reader = WalReader(log, from: 1)
        #expect(try reader.read(limit: 1000).map(\.sequence) == Array(1...200))
        let before = log.bytes
        try log.acknowledge(through: 150)
        try log.persistAcknowledged()
        #expect(log.bytes < before)
        let left = dir.segments
        #expect(left.count < segments.count)
        // What is left still holds every record after 150: reclaiming goes a whole segment at a time.
        let firstLeft = UInt64(left.first!.dropLast(4))!
        #expect(firstLeft <= 151)
        let reopened: WalLog
        do {
            _ = consume reader
            log.close()
        }
        reopened = try WalLog(directory: dir.path, options: WalOptions(maxBytes: 1 << 20, segmentBytes: 4096))
        #expect(reopened.acknowledged == 150)
        #expect(reopened.unacknowledged == 151...200)
        var again = WalReader(reopened, from: reopened.acknowledged + 1)
        #expect(try again.read(limit: 1000).map(\.sequence) == Array(151...200))
    }

    @Test func aSecondOpenOfTheSameDirectoryIsRefusedWithTheReason() throws {
        let dir = WalTestDirectory()
        let first = try WalLog(directory: dir.path)
        #expect(throws: WalError.self) { _ = try WalLog(directory: dir.path) }
        do {
            _ = try WalLog(directory: dir.path)
        } catch {
            #expect(error.description.contains("is in use by this process"))
            #expect(error.description.contains(dir.path))
        }
        _ = first
    }

    @Test func theLockGoesWithTheLog() throws {
        let dir = WalTestDirectory()
        do { _ = try WalLog(directory: dir.path) }
        _ = try WalLog(directory: dir.path)
    }

    @Test func aFullLogRefusesNothingButSaysItIsFull() throws {
        let dir = WalTestDirectory()
        let log = try WalLog(directory: dir.path, options: WalOptions(maxBytes: 8192, segmentBytes: 2048))
        var appended = 0
        while log.fits(WalLog.recordSize(payload: 100)) {
            try log.append([[UInt8](repeating: 7, count: 100)])
            appended += 1
        }
        #expect(appended > 20)
        #expect(log.bytes <= 8192)
        try log.sync()
        log.publish()
        let generation = log.spaceGeneration
        // Acknowledging everything frees the closed segments, and the current one once rotated.
        try log.acknowledge(through: UInt64(appended))
        #expect(log.spaceGeneration != generation)
        _ = try log.rotateIfAcknowledged()
        #expect(log.bytes <= 24 * 2)
        #expect(log.fits(4000))
        #expect(throws: WalError.recordTooLarge(bytes: 9000, limit: 8192 - 24)) { try log.append([[UInt8](repeating: 0, count: 9000)]) }
    }
}

@Suite struct WalConcurrentReadTests {
    /// A reader following a writer whose appends each span several segments sees every record,
    /// in order: it never leaves a segment for the next before reading what that one grew by.
    @Test func aReaderFollowingTheWriterMissesNothingAcrossSegments() async throws {
        let dir = WalTestDirectory()
        let log = try WalLog(directory: dir.path, options: WalOptions(maxBytes: 1 << 30, segmentBytes: 2048))
        let total = 20_000
        let writer = Task.detached {
            var n = 0
            while n < total {
                let count = min(Int.random(in: 1...200), total - n)
                try log.append((n..<(n + count)).map(payload))
                log.publish()
                n += count
            }
        }
        var reader = WalReader(log, from: 1)
        var next: UInt64 = 1
        let deadline = ContinuousClock.now + .seconds(60)
        while next <= UInt64(total) && ContinuousClock.now < deadline {
            let records = try reader.read(limit: 97)
            for record in records {
                #expect(record.sequence == next)
                #expect(record.payload == payload(Int(next) - 1))
                next = record.sequence + 1
            }
            if records.isEmpty { await Task.yield() }
        }
        try await writer.value
        #expect(next == UInt64(total) + 1)
    }
}

@Suite struct WalReaderSkipTests {
    /// A reader told that runs were handed over from memory goes on just after each, in the same
    /// segment or the next, and reads every other run from disk intact and in order.
    @Test func aReaderSkipsRunsHandedOverAndReadsTheRestIntact() throws {
        let dir = WalTestDirectory()
        let log = try WalLog(directory: dir.path, options: WalOptions(maxBytes: 1 << 30, segmentBytes: 2048))
        var reader = WalReader(log, from: 1)
        var n = 0
        for run in 0..<300 {
            let count = 1 + run % 23
            let written = try #require(try log.appendLocated((n..<(n + count)).map(payload)))
            log.publish()
            #expect(written.sequences == UInt64(n + 1)...UInt64(n + count))
            if run % 3 == 0 {
                reader.skip(to: written.sequences.upperBound + 1, at: written.end)
            } else {
                var read: [WalRecord] = []
                while read.count < count {
                    let more = try reader.read(limit: 7)
                    #expect(!more.isEmpty)
                    if more.isEmpty { break }
                    read += more
                }
                #expect(read.map(\.sequence) == Array(written.sequences))
                #expect(read.map(\.payload) == (n..<(n + count)).map(payload))
            }
            n += count
        }
        #expect(try reader.read(limit: 10).isEmpty)
        #expect(reader.damagedRegions == 0)
        #expect(reader.nextSequence == UInt64(n + 1))
    }
}
