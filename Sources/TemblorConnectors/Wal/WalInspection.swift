import TemblorCodecs
import TemblorValue
import TemblorWAL

/// What `temblor wal inspect` shows of a wal directory, read without changing it (also while a
/// flow has it open): its segments, records, bytes and the oldest record not yet acknowledged.
public struct WalInspection: Sendable {
    public var scan: WalScan
    /// The oldest record not acknowledged downstream: its sequence and the event it holds.
    public var oldestUnacknowledged: (sequence: UInt64, event: Value)?
    /// Records not acknowledged downstream.
    public var unacknowledged: Int

    public init(directory: String) throws(WalError) {
        var oldest: (UInt64, Value)?
        var pending = 0
        scan = try WalScan.scan(directory) { sequence, payload, acknowledged in
            guard sequence > acknowledged else { return }
            pending += 1
            guard oldest == nil else { return }
            oldest = (sequence, Self.describe(payload))
        }
        oldestUnacknowledged = oldest.map { (sequence: $0.0, event: $0.1) }
        unacknowledged = pending
    }

    /// A stored event as a value: its original id, ingest time, metadata and payload.
    static func describe(_ payload: [UInt8]) -> Value {
        do {
            let stored = try WalEventCodec.decode(payload)
            var tracked: [Value] = []
            for id in stored.tracked { tracked.append(.string(id.description)) }
            return [
                "id": .string(stored.id.description), "tracked": .array(tracked),
                "ingest_ns": .uint(stored.ingestNs), "meta": stored.meta, "payload": stored.payload,
            ]
        } catch {
            return ["error": .string(error.description), "bytes": .int(Int64(payload.count))]
        }
    }

    /// The report as a value (`--json`).
    public var value: Value {
        var segments: [Value] = []
        for segment in scan.segments {
            var entry: Value = [
                "name": .string(segment.name), "first_sequence": .uint(segment.firstSequence), "records": .int(Int64(segment.records)),
                "bytes": .int(Int64(segment.bytes)), "damaged_regions": .int(Int64(segment.damagedRegions)),
            ]
            entry["last_sequence"] = segment.lastSequence.map { .uint($0) } ?? .null
            if let problem = segment.headerProblem { entry["header_problem"] = .string(problem) }
            segments.append(entry)
        }
        var report: Value = [
            "directory": .string(scan.directory), "segments": .array(segments), "records": .int(Int64(scan.records)),
            "bytes": .int(Int64(scan.bytes)), "acknowledged_through": .uint(scan.acknowledged),
            "unacknowledged": .int(Int64(unacknowledged)),
            "skipped_records": .uint(scan.recovery.skippedRecords), "torn_bytes": .int(Int64(scan.recovery.tornBytes)),
            "problems": .array(scan.recovery.problems.map { .string($0) }),
        ]
        report["locked_by"] = scan.lockedBy.map { .int(Int64($0)) } ?? .null
        if let oldest = oldestUnacknowledged {
            report["oldest_unacknowledged"] = ["sequence": .uint(oldest.sequence), "event": oldest.event]
        } else {
            report["oldest_unacknowledged"] = .null
        }
        return report
    }

    /// The report for a terminal.
    public var text: String {
        var lines = ["wal \(scan.directory)" + (scan.lockedBy.map { $0 > 0 ? " (open in process \($0))" : " (open in another process)" } ?? "")]
        lines.append("segments: \(scan.segments.count), records: \(scan.records), bytes: \(scan.bytes)")
        lines.append("acknowledged through: \(scan.acknowledged), unacknowledged records: \(unacknowledged)")
        if !scan.segments.isEmpty {
            lines.append("")
            lines.append(pad("SEGMENT", 26) + pad("FIRST", 12) + pad("LAST", 12) + pad("RECORDS", 10) + pad("BYTES", 12) + "DAMAGED")
            for segment in scan.segments {
                lines.append(
                    pad(segment.name, 26) + pad(String(segment.firstSequence), 12) + pad(segment.lastSequence.map(String.init) ?? "-", 12)
                        + pad(String(segment.records), 10) + pad(String(segment.bytes), 12) + String(segment.damagedRegions))
            }
        }
        lines.append("")
        if let oldest = oldestUnacknowledged {
            var json = JSONCodec()
            var bytes: [UInt8] = []
            let shown = (try? json.encode(oldest.event, into: &bytes)) != nil ? String(decoding: bytes, as: UTF8.self) : "\(oldest.event)"
            lines.append("oldest unacknowledged: record \(oldest.sequence): \(shown)")
        } else {
            lines.append("oldest unacknowledged: none (everything was delivered)")
        }
        if !scan.recovery.isClean {
            lines.append("")
            lines.append("problems (skipped records: \(scan.recovery.skippedRecords), torn bytes: \(scan.recovery.tornBytes)):")
            for problem in scan.recovery.problems { lines.append("  \(problem)") }
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}
