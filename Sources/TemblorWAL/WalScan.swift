/// A read of a whole wal directory: its segments, what each holds, the acknowledged watermark,
/// and the damage found. Opening a wal starts from one; `temblor wal inspect` shows one.
public struct WalScan: Sendable {
    public var directory: String
    /// Segments by first sequence.
    public var segments: [WalSegmentInfo]
    /// Every record up to this sequence was acknowledged downstream (0: none).
    public var acknowledged: UInt64
    public var recovery: WalRecovery
    /// Where the newest segment's intact records end (the torn tail starts there, when any).
    var tailOffset: Int?

    /// The bytes all segments take.
    public var bytes: Int { segments.reduce(0) { $0 + $1.bytes } }
    /// Intact records, acknowledged or not.
    public var records: Int { segments.reduce(0) { $0 + $1.records } }
    /// The highest sequence of an intact record.
    public var lastSequence: UInt64? { segments.compactMap(\.lastSequence).max() }

    /// The pid of the process that has the wal open now, when one has.
    public var lockedBy: Int32?

    /// Scans `directory` without changing it; each intact record is passed to `visit`, with
    /// the acknowledged watermark.
    public static func scan(
        _ directory: String, visit: (_ sequence: UInt64, _ payload: [UInt8], _ acknowledged: UInt64) -> Void = { _, _, _ in }
    ) throws(WalError) -> WalScan {
        var scan = WalScan(directory: directory, segments: [], acknowledged: 0, recovery: WalRecovery())
        let names = try WalFile.list(directory)
        scan.lockedBy = WalLock.holder(of: directory)
        if let bytes = try WalFile.contents(directory + "/" + WalFormat.ackedFile) {
            if let acked = WalFormat.readAcked(bytes) {
                scan.acknowledged = acked
            } else {
                scan.recovery.problems.append("\(WalFormat.ackedFile): damaged; every record is replayed")
            }
        }
        let segments = names.compactMap { name in WalFormat.firstSequence(ofSegmentNamed: name).map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
        var expected: UInt64?
        for (index, (name, named)) in segments.enumerated() {
            let path = directory + "/" + name
            let file = try WalFile.open(path, readOnly: true)
            let size = try file.size()
            var info = WalSegmentInfo(
                name: name, firstSequence: named, lastSequence: nil, records: 0, bytes: size, damagedRegions: 0, headerProblem: nil)
            let header = try file.read(at: 0, count: WalFormat.segmentHeaderSize)
            switch header.withUnsafeBytes({ WalFormat.readSegmentHeader($0) }) {
            case .valid(let first) where first == named:
                break
            case .valid(let first):
                info.headerProblem = "its header names sequence \(first), its file name \(named)"
            case .otherVersion(let version):
                throw .unsupportedVersion(path: path, version: version)
            case .damaged:
                info.headerProblem = size < WalFormat.segmentHeaderSize ? "its header is incomplete" : "its header is damaged"
            }
            if let problem = info.headerProblem { scan.recovery.problems.append("\(name): \(problem); the file name gives its first sequence") }
            if expected == nil { expected = named }
            let newest = index == segments.count - 1
            var scanner = WalSegmentScanner(file: file, offset: min(WalFormat.segmentHeaderSize, size), limit: size)
            var intactEnd = min(WalFormat.segmentHeaderSize, size)
            while let entry = try scanner.next() {
                switch entry {
                case .record(let sequence, let payload, _, let end):
                    if let wanted = expected, sequence > wanted {
                        scan.recovery.skippedRecords += sequence - wanted
                        scan.recovery.problems.append("\(name): records \(wanted)...\(sequence - 1) are damaged and skipped")
                    }
                    expected = sequence + 1
                    info.records += 1
                    info.lastSequence = sequence
                    intactEnd = end
                    visit(sequence, payload, scan.acknowledged)
                case .damaged(let offset, let end):
                    info.damagedRegions += 1
                    scan.recovery.problems.append("\(name): bytes \(offset)..<\(end) hold no intact record")
                case .tail(let offset):
                    if newest {
                        scan.recovery.tornBytes = size - offset
                    } else {
                        info.damagedRegions += 1
                        scan.recovery.problems.append("\(name): bytes \(offset)..<\(size) hold no intact record")
                    }
                }
            }
            if newest { scan.tailOffset = intactEnd }
            scan.recovery.damagedRegions += info.damagedRegions
            scan.segments.append(info)
        }
        if scan.recovery.tornBytes > 0, let last = scan.segments.last {
            scan.recovery.problems.append(
                "\(last.name): \(scan.recovery.tornBytes) bytes at its end hold an incomplete record (a write cut short)")
        }
        return scan
    }
}
