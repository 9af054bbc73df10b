import CCRC32C

/// The on-disk layout of a wal directory, version 1. Every integer is little-endian.
///
/// A segment file `<first sequence, 20 digits>.seg` starts with a 24-byte header:
/// magic `TWAL` (u32), version (u16), flags (u16, 0), first sequence (u64), reserved (u32, 0),
/// CRC32C of the 20 bytes before it (u32). Records follow back to back, each a 24-byte header,
/// marker `TREC` (u32), payload length (u32), sequence (u64), CRC32C of the payload (u32),
/// CRC32C of the 20 header bytes before it (u32), then the payload.
///
/// The file `acked` holds the highest sequence acknowledged downstream (u64) and its CRC32C (u32).
public enum WalFormat {
    /// The format version this build writes and reads.
    public static let version: UInt16 = 1
    static let segmentMagic: UInt32 = 0x4C41_5754  // "TWAL" read as little-endian bytes
    static let recordMarker: UInt32 = 0x4345_5254  // "TREC"
    public static let segmentHeaderSize = 24
    public static let recordHeaderSize = 24
    /// The largest payload one record holds.
    public static let maxPayload = 1 << 30
    static let segmentSuffix = ".seg"
    static let ackedFile = "acked"
    static let lockFile = "lock"

    /// CRC-32C of `bytes`, continuing from `crc`.
    public static func crc32c(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return temblor_crc32c(crc, base, bytes.count)
    }

    /// CRC-32C of `bytes`.
    public static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32c($0) }
    }

    /// The name of the segment whose first record has `sequence`.
    static func segmentName(first sequence: UInt64) -> String {
        let digits = String(sequence)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + segmentSuffix
    }

    /// The first sequence a segment's file name gives, or `nil` when it is no segment name.
    static func firstSequence(ofSegmentNamed name: String) -> UInt64? {
        guard name.hasSuffix(segmentSuffix) else { return nil }
        let stem = name.dropLast(segmentSuffix.count)
        guard stem.count == 20, stem.allSatisfy(\.isASCIIDigit) else { return nil }
        return UInt64(stem)
    }

    static func segmentHeader(first sequence: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(segmentHeaderSize)
        bytes.appendLE(segmentMagic)
        bytes.appendLE(version)
        bytes.appendLE(UInt16(0))
        bytes.appendLE(sequence)
        bytes.appendLE(UInt32(0))
        let crc = bytes.withUnsafeBytes { crc32c($0) }
        bytes.appendLE(crc)
        return bytes
    }

    /// What a segment header says, or why it cannot be read.
    enum SegmentHeader {
        case valid(firstSequence: UInt64)
        /// A header intact but written by a version this build does not know.
        case otherVersion(UInt16)
        case damaged
    }

    static func readSegmentHeader(_ bytes: UnsafeRawBufferPointer) -> SegmentHeader {
        guard bytes.count >= segmentHeaderSize else { return .damaged }
        let crc = bytes.loadLE(UInt32.self, at: 20)
        guard crc32c(UnsafeRawBufferPointer(rebasing: bytes[0..<20])) == crc, bytes.loadLE(UInt32.self, at: 0) == segmentMagic else {
            return .damaged
        }
        let version = bytes.loadLE(UInt16.self, at: 4)
        guard version == Self.version else { return .otherVersion(version) }
        return .valid(firstSequence: bytes.loadLE(UInt64.self, at: 8))
    }

    /// Appends one record (header and payload) to `buffer`.
    static func appendRecord(sequence: UInt64, payload: UnsafeRawBufferPointer, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.appendLE(recordMarker)
        buffer.appendLE(UInt32(payload.count))
        buffer.appendLE(sequence)
        buffer.appendLE(crc32c(payload))
        let headerCRC = buffer.withUnsafeBytes { crc32c(UnsafeRawBufferPointer(rebasing: $0[start..<(start + 20)])) }
        buffer.appendLE(headerCRC)
        buffer.append(contentsOf: payload)
    }

    /// A record header that checks out: its payload's length, sequence and CRC.
    struct RecordHeader {
        var length: Int
        var sequence: UInt64
        var payloadCRC: UInt32
    }

    /// The record header at the start of `bytes`, when its marker and CRC are right.
    static func readRecordHeader(_ bytes: UnsafeRawBufferPointer) -> RecordHeader? {
        guard bytes.count >= recordHeaderSize, bytes.loadLE(UInt32.self, at: 0) == recordMarker else { return nil }
        guard crc32c(UnsafeRawBufferPointer(rebasing: bytes[0..<20])) == bytes.loadLE(UInt32.self, at: 20) else { return nil }
        let length = Int(bytes.loadLE(UInt32.self, at: 4))
        guard length <= maxPayload else { return nil }
        return RecordHeader(length: length, sequence: bytes.loadLE(UInt64.self, at: 8), payloadCRC: bytes.loadLE(UInt32.self, at: 16))
    }

    static func ackedContents(_ sequence: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendLE(sequence)
        let crc = bytes.withUnsafeBytes { crc32c($0) }
        bytes.appendLE(crc)
        return bytes
    }

    static func readAcked(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count == 12 else { return nil }
        return bytes.withUnsafeBytes { raw in
            crc32c(UnsafeRawBufferPointer(rebasing: raw[0..<8])) == raw.loadLE(UInt32.self, at: 8) ? raw.loadLE(UInt64.self, at: 0) : nil
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        // Byte by byte, least significant first: cheaper than appending through a raw buffer.
        var shift = 0
        while shift < T.bitWidth {
            append(UInt8(truncatingIfNeeded: value >> shift))
            shift += 8
        }
    }
}

extension UnsafeRawBufferPointer {
    func loadLE<T: FixedWidthInteger>(_ type: T.Type, at offset: Int) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
