/// Reads the records of one segment file in order, from `offset` up to `limit`, and finds the
/// next intact record after damage by searching for a record header whose CRC checks out.
struct WalSegmentScanner {
    let file: WalFile
    /// Where the next entry starts.
    private(set) var offset: Int
    /// The end of the bytes that may be read (the file's size, or what the writer published).
    var limit: Int
    /// The sequence of the last intact record, so that a search never goes back.
    private(set) var lastSequence: UInt64?
    private var window: [UInt8] = []
    private var windowStart = 0
    private static let chunk = 1 << 20

    init(file: WalFile, offset: Int, limit: Int, lastSequence: UInt64? = nil) {
        self.file = file
        self.offset = offset
        self.limit = limit
        self.lastSequence = lastSequence
    }

    /// Moves forward to `offset`, where the record after `sequence` starts; `false` (nothing
    /// changed) when that is behind the scanner.
    mutating func seek(to offset: Int, after sequence: UInt64) -> Bool {
        guard offset >= self.offset else { return false }
        self.offset = offset
        lastSequence = sequence
        return true
    }

    /// The next entry, or `nil` at `limit`.
    mutating func next() throws(WalError) -> WalEntry? {
        guard offset < limit else { return nil }
        if let record = try record(at: offset) {
            return take(record)
        }
        let start = offset
        var candidate = offset + 1
        while candidate + WalFormat.recordHeaderSize <= limit {
            guard let found = try findMarker(from: candidate) else { break }
            if try record(at: found) != nil {
                offset = found
                return .damaged(offset: start, end: found)
            }
            candidate = found + 1
        }
        offset = limit
        return .tail(offset: start)
    }

    private mutating func take(_ record: (sequence: UInt64, payload: [UInt8], end: Int)) -> WalEntry {
        let entry = WalEntry.record(sequence: record.sequence, payload: record.payload, offset: offset, end: record.end)
        lastSequence = record.sequence
        offset = record.end
        return entry
    }

    /// The intact record at `at`: header and payload CRCs right, within `limit`, after the last.
    private mutating func record(at position: Int) throws(WalError) -> (sequence: UInt64, payload: [UInt8], end: Int)? {
        guard position + WalFormat.recordHeaderSize <= limit else { return nil }
        guard try ensure(position, WalFormat.recordHeaderSize) else { return nil }
        let local = position - windowStart
        let header = window.withUnsafeBytes { raw in
            WalFormat.readRecordHeader(UnsafeRawBufferPointer(rebasing: raw[local..<(local + WalFormat.recordHeaderSize)]))
        }
        guard let header else { return nil }
        if let lastSequence, header.sequence <= lastSequence { return nil }
        let end = position + WalFormat.recordHeaderSize + header.length
        guard end <= limit else { return nil }
        guard try ensure(position, WalFormat.recordHeaderSize + header.length) else { return nil }
        let from = position + WalFormat.recordHeaderSize - windowStart
        let payload = Array(window[from..<(from + header.length)])
        guard WalFormat.crc32c(payload) == header.payloadCRC else { return nil }
        return (header.sequence, payload, end)
    }

    /// The next offset at or after `from` where a record marker starts.
    private mutating func findMarker(from start: Int) throws(WalError) -> Int? {
        var position = start
        let marker: [UInt8] = [0x54, 0x52, 0x45, 0x43]  // "TREC"
        while position + WalFormat.recordHeaderSize <= limit {
            guard try ensure(position, WalFormat.recordHeaderSize) else { return nil }
            let local = position - windowStart
            let found: Int? = window.withUnsafeBufferPointer { buffer in
                var i = local
                let end = buffer.count - 3
                while i < end {
                    if buffer[i] == marker[0] && buffer[i + 1] == marker[1] && buffer[i + 2] == marker[2] && buffer[i + 3] == marker[3] {
                        return i
                    }
                    i += 1
                }
                return nil
            }
            if let found { return windowStart + found }
            // Go on from the last three bytes, which may begin a marker cut by the window's end.
            position = max(position + 1, windowStart + window.count - 3)
            if windowStart + window.count >= limit { return nil }
        }
        return nil
    }

    /// Makes `count` bytes from `position` sit in the window; `false` when the file is shorter.
    private mutating func ensure(_ position: Int, _ count: Int) throws(WalError) -> Bool {
        if position >= windowStart && position + count <= windowStart + window.count { return true }
        let wanted = max(count, min(Self.chunk, limit - position))
        window = try file.read(at: position, count: wanted)
        windowStart = position
        return window.count >= count
    }
}
