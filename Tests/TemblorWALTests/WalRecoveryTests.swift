import Foundation
import Testing
import TemblorWAL

/// Crashes and disk damage, made by hand: a segment cut short at random offsets, and random
/// bit flips. Recovery never fails, never loses an intact record, and counts what it skipped.
@Suite struct WalRecoveryTests {
    static let options = WalOptions(maxBytes: 1 << 20, segmentBytes: 3000)
    static let count = 120

    /// Where each record sits: its segment file and byte range.
    struct Placement {
        var segment: String
        var range: Range<Int>
    }

    /// A wal with `count` records over several segments, and where each record went.
    static func pristine() throws -> (WalTestDirectory, [Placement]) {
        let dir = WalTestDirectory()
        do {
            let log = try WalLog(directory: dir.path, options: options)
            for n in 0..<count { try log.append([payload(n)]) }
            try log.sync()
        }
        var placements: [Placement] = []
        for name in dir.segments {
            var offset = 24
            let first = UInt64(name.dropLast(4))!
            var sequence = first
            let size = dir.bytes(name).count
            while offset < size {
                let length = 24 + payload(Int(sequence) - 1).count
                placements.append(Placement(segment: name, range: offset..<(offset + length)))
                offset += length
                sequence += 1
            }
        }
        #expect(placements.count == count)
        return (dir, placements)
    }

    static func copy(_ dir: WalTestDirectory) -> WalTestDirectory {
        let trial = WalTestDirectory()
        try! FileManager.default.createDirectory(atPath: trial.path, withIntermediateDirectories: true)
        for name in dir.segments { trial.write(name, dir.bytes(name)) }
        return trial
    }

    static func readAll(_ log: WalLog) throws -> [WalRecord] {
        var reader = WalReader(log, from: 1)
        return try reader.read(limit: .max, maxBytes: .max)
    }

    @Test func aSegmentCutAtFiftyRandomOffsetsLosesOnlyTheRecordCut() throws {
        let (dir, placements) = try Self.pristine()
        let newest = dir.segments.last!
        let size = dir.bytes(newest).count
        var generator = SystemRandomNumberGenerator()
        var offsets = Set<Int>([0, 1, 23, 24, 25, size - 1])
        while offsets.count < 50 { offsets.insert(Int.random(in: 0..<size, using: &generator)) }
        for cut in offsets.sorted() {
            let trial = Self.copy(dir)
            trial.write(newest, Array(dir.bytes(newest)[..<cut]))
            let survivors = placements.enumerated().filter { $0.element.segment != newest || $0.element.range.upperBound <= cut }.map(\.offset)
            let log = try WalLog(directory: trial.path, options: Self.options)
            let records = try Self.readAll(log)
            #expect(records.map(\.sequence) == survivors.map { UInt64($0 + 1) }, "cut at \(cut)")
            #expect(records.allSatisfy { $0.payload == payload(Int($0.sequence) - 1) }, "cut at \(cut)")
            #expect(log.recovery.skippedRecords == 0, "cut at \(cut)")
            let cutRecord = placements.first { $0.segment == newest && $0.range.contains(cut) && $0.range.lowerBound < cut }
            #expect((log.recovery.tornBytes > 0) == (cutRecord != nil), "cut at \(cut)")
            // Appends go on from the last intact record, and the next open is clean.
            let next = UInt64(survivors.count + 1)
            #expect(try log.append([payload(999)]) == next...next)
            try log.sync()
            log.close()
            let again = try WalLog(directory: trial.path, options: Self.options)
            #expect(again.recovery.isClean, "cut at \(cut): \(again.recovery.problems)")
            #expect(try Self.readAll(again).count == survivors.count + 1)
        }
    }

    @Test func randomBitFlipsLoseOnlyTheRecordHitAndCountIt() throws {
        let (dir, placements) = try Self.pristine()
        var generator = SystemRandomNumberGenerator()
        for trialNumber in 0..<60 {
            let trial = Self.copy(dir)
            let segments = dir.segments
            let segment = segments.randomElement(using: &generator)!
            var bytes = dir.bytes(segment)
            let offset = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[offset] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
            trial.write(segment, bytes)
            let hit = placements.firstIndex { $0.segment == segment && $0.range.contains(offset) }
            let log = try WalLog(directory: trial.path, options: Self.options)
            let records = try Self.readAll(log)
            let expected = (0..<Self.count).filter { $0 != hit }.map { UInt64($0 + 1) }
            let place = "trial \(trialNumber): \(segment) byte \(offset)"
            #expect(records.map(\.sequence) == expected, "\(place)")
            #expect(records.allSatisfy { $0.payload == payload(Int($0.sequence) - 1) }, "\(place)")
            if let hit {
                let isLast = hit == Self.count - 1
                // The very last record, damaged, is a torn tail; any other is skipped and counted.
                #expect(log.recovery.skippedRecords == (isLast ? 0 : 1), "\(place)")
                #expect((log.recovery.tornBytes > 0) == isLast, "\(place)")
            } else {
                // A damaged segment header: its name still gives the first sequence.
                #expect(!log.recovery.problems.isEmpty, "\(place)")
                #expect(log.recovery.skippedRecords == 0, "\(place)")
            }
        }
    }

    @Test func damageInEveryRecordOfASegmentIsCountedRecordByRecord() throws {
        let (dir, placements) = try Self.pristine()
        let trial = Self.copy(dir)
        let middle = dir.segments[1]
        var bytes = dir.bytes(middle)
        let hits = placements.enumerated().filter { $0.element.segment == middle }
        for (_, placement) in hits { bytes[placement.range.lowerBound + 30 < placement.range.upperBound ? placement.range.lowerBound + 30 : placement.range.lowerBound] ^= 0x40 }
        trial.write(middle, bytes)
        let log = try WalLog(directory: trial.path, options: Self.options)
        #expect(log.recovery.skippedRecords == UInt64(hits.count))
        #expect(try Self.readAll(log).count == Self.count - hits.count)
    }

    @Test func anAckedFileThatIsDamagedReplaysEverything() throws {
        let (dir, _) = try Self.pristine()
        do {
            let log = try WalLog(directory: dir.path, options: Self.options)
            try log.acknowledge(through: 10)
            try log.persistAcknowledged()
        }
        var acked = dir.bytes("acked")
        acked[0] ^= 1
        dir.write("acked", acked)
        let log = try WalLog(directory: dir.path, options: Self.options)
        #expect(log.acknowledged == 0)
        #expect(log.recovery.problems.contains { $0.contains("acked") })
        #expect(try Self.readAll(log).count == Self.count)
    }

    @Test func aSegmentOfAnotherFormatVersionIsRefusedByName() throws {
        let dir = WalTestDirectory()
        try FileManager.default.createDirectory(atPath: dir.path, withIntermediateDirectories: true)
        var header: [UInt8] = Array("TWAL".utf8) + [9, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [1, 0, 0, 0, 0, 0, 0, 0].prefix(4)
        header[8] = 1
        let crc = WalFormat.crc32c(header)
        header += withUnsafeBytes(of: crc.littleEndian) { Array($0) }
        dir.write("00000000000000000001.seg", header)
        #expect(throws: WalError.unsupportedVersion(path: dir.path + "/00000000000000000001.seg", version: 9)) {
            _ = try WalLog(directory: dir.path)
        }
    }
}
