import TemblorCodecs
import TemblorValue

/// How an event becomes a wal record's payload and back: its ingest time, its id and the ids it
/// tracks, then its payload and metadata in MessagePack, so that every value comes back exactly
/// (bytes stay bytes, integers keep their sign, floats their bits).
///
/// Layout (little-endian): version u8 (1), ingest time u64, id (source, stream, sequence: 3 u64),
/// tracked count u32 and that many ids, payload length u32, payload, metadata (the rest).
enum WalEventCodec {
    static let version: UInt8 = 1

    /// What a record holds, the event's original id among it.
    struct Stored: Equatable {
        var payload: Value
        var meta: Value
        var ingestNs: UInt64
        var id: EventId
        var tracked: [EventId]
    }

    /// Why a record could not become an event again.
    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    static func encode(_ event: Event) throws(CodecError) -> [UInt8] {
        var bytes: [UInt8] = []
        // Room for a small event whole: growing the array would copy it once or twice.
        bytes.reserveCapacity(192)
        bytes.append(version)
        put(event.ingestNs, &bytes)
        put(event.id, &bytes)
        put(UInt32(event.tracked.count), &bytes)
        for id in event.tracked { put(id, &bytes) }
        let lengthAt = bytes.count
        put(UInt32(0), &bytes)
        var codec = MessagePackCodec()
        try codec.encode(event.payload, into: &bytes)
        let length = UInt32(bytes.count - lengthAt - 4)
        withUnsafeBytes(of: length.littleEndian) { raw in
            for i in 0..<4 { bytes[lengthAt + i] = raw[i] }
        }
        try codec.encode(event.meta, into: &bytes)
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws(DecodeError) -> Stored {
        var failure: DecodeError?
        let stored: Stored? = bytes.withUnsafeBytes { raw in
            do throws(DecodeError) {
                return try decode(raw)
            } catch {
                failure = error
                return nil
            }
        }
        if let stored { return stored }
        throw failure!
    }

    private static func decode(_ raw: UnsafeRawBufferPointer) throws(DecodeError) -> Stored {
        var offset = 0
        func u64() throws(DecodeError) -> UInt64 {
            guard offset + 8 <= raw.count else { throw DecodeError(description: "the record ends early") }
            defer { offset += 8 }
            return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        func u32() throws(DecodeError) -> Int {
            guard offset + 4 <= raw.count else { throw DecodeError(description: "the record ends early") }
            defer { offset += 4 }
            return Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }
        func id() throws(DecodeError) -> EventId {
            EventId(source: try u64(), stream: try u64(), sequence: try u64())
        }
        guard raw.count > 0, raw[0] == version else {
            throw DecodeError(description: "the record is of event format \(raw.first.map(String.init) ?? "none"), this build reads \(version)")
        }
        offset = 1
        let ingestNs = try u64()
        let eventId = try id()
        let trackedCount = try u32()
        guard trackedCount <= (raw.count - offset) / 24 else { throw DecodeError(description: "the record ends early") }
        var tracked: [EventId] = []
        tracked.reserveCapacity(trackedCount)
        for _ in 0..<trackedCount { tracked.append(try id()) }
        let payloadLength = try u32()
        guard offset + payloadLength <= raw.count else { throw DecodeError(description: "the record ends early") }
        var codec = MessagePackCodec()
        do {
            let payload = try codec.decode(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + payloadLength)]))
            let meta = try codec.decode(UnsafeRawBufferPointer(rebasing: raw[(offset + payloadLength)...]))
            return Stored(payload: payload, meta: meta, ingestNs: ingestNs, id: eventId, tracked: tracked)
        } catch {
            throw DecodeError(description: "\(error)")
        }
    }

    private static func put<T: FixedWidthInteger>(_ value: T, _ bytes: inout [UInt8]) {
        // Byte by byte, least significant first: cheaper than appending through a raw buffer.
        var shift = 0
        while shift < T.bitWidth {
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
            shift += 8
        }
    }

    private static func put(_ id: EventId, _ bytes: inout [UInt8]) {
        put(id.source, &bytes)
        put(id.stream, &bytes)
        put(id.sequence, &bytes)
    }
}
