import TemblorValue

/// Writes values as MessagePack, always in the smallest format that holds each one, by
/// appending to a byte array that grows geometrically.
enum MessagePackWriter {
    /// Appends the encoding of `value`; `depth` counts the containers around it, and containers
    /// nested past `maxDepth` are refused, as the reader refuses them.
    static func write(_ value: Value, into buffer: inout [UInt8], depth: Int, maxDepth: Int) throws(CodecError) {
        switch value {
        case .null:
            buffer.append(0xC0)
        case .bool(let b):
            buffer.append(b ? 0xC3 : 0xC2)
        case .int(let i):
            writeInt(i, into: &buffer)
        case .uint(let u):
            writeUInt(u, into: &buffer)
        case .float(let f):
            reserve(9, in: &buffer)
            append(0xCB, f.bitPattern, to: &buffer)
        case .string(let s):
            try writeString(s, into: &buffer)
        case .bytes(let b):
            try writeHeader(length: b.count, fix: nil, w8: 0xC4, w16: 0xC5, w32: 0xC6, kind: "bytes value", into: &buffer)
            buffer.append(contentsOf: b)
        case .array(let elements):
            try checkDepth(depth, maxDepth)
            try writeHeader(length: elements.count, fix: (0x90, 15), w8: nil, w16: 0xDC, w32: 0xDD, kind: "array", into: &buffer)
            for element in elements {
                try write(element, into: &buffer, depth: depth + 1, maxDepth: maxDepth)
            }
        case .object(let object):
            if let ext = MessagePackExtension(object: object) {
                try writeExtension(ext, into: &buffer)
                return
            }
            try checkDepth(depth, maxDepth)
            try writeHeader(length: object.count, fix: (0x80, 15), w8: nil, w16: 0xDE, w32: 0xDF, kind: "object", into: &buffer)
            // Through the members in place: iterating the object would copy each key and value out.
            let members = object.members
            for index in members.indices {
                try writeString(members[index].key, into: &buffer)
                try write(members[index].value, into: &buffer, depth: depth + 1, maxDepth: maxDepth)
            }
        }
    }

    /// Writes an extension as fixext when its data has one of the fixed sizes, else as ext8/16/32.
    static func writeExtension(_ ext: MessagePackExtension, into buffer: inout [UInt8]) throws(CodecError) {
        let count = ext.data.count
        guard count <= Int(UInt32.max) else {
            throw .unencodable(codec: MessagePackCodec.name, reason: "extension of length \(count) exceeds MessagePack's limit of \(UInt32.max)")
        }
        reserve(6 + count, in: &buffer)
        switch count {
        case 1: buffer.append(0xD4)
        case 2: buffer.append(0xD5)
        case 4: buffer.append(0xD6)
        case 8: buffer.append(0xD7)
        case 16: buffer.append(0xD8)
        default:
            try writeHeader(length: count, fix: nil, w8: 0xC7, w16: 0xC8, w32: 0xC9, kind: "extension", into: &buffer)
        }
        buffer.append(UInt8(bitPattern: ext.type))
        buffer.append(contentsOf: ext.data)
    }

    @inline(__always)
    static func writeString(_ string: String, into buffer: inout [UInt8]) throws(CodecError) {
        try writeHeader(length: string.utf8.count, fix: (0xA0, 31), w8: 0xD9, w16: 0xDA, w32: 0xDB, kind: "string", into: &buffer)
        // Native strings lend their bytes as they are; only a bridged one needs a copy first.
        if string.utf8.withContiguousStorageIfAvailable({ buffer.append(contentsOf: $0) }) == nil {
            var string = string
            string.withUTF8 { buffer.append(contentsOf: $0) }
        }
    }

    @inline(__always)
    static func writeInt(_ i: Int64, into buffer: inout [UInt8]) {
        if i >= 0 {
            writeUInt(UInt64(i), into: &buffer)
            return
        }
        reserve(9, in: &buffer)
        if i >= -32 {
            buffer.append(UInt8(truncatingIfNeeded: i))  // negative fixint
        } else if i >= Int64(Int8.min) {
            append(0xD0, Int8(i), to: &buffer)
        } else if i >= Int64(Int16.min) {
            append(0xD1, Int16(i), to: &buffer)
        } else if i >= Int64(Int32.min) {
            append(0xD2, Int32(i), to: &buffer)
        } else {
            append(0xD3, i, to: &buffer)
        }
    }

    @inline(__always)
    static func writeUInt(_ u: UInt64, into buffer: inout [UInt8]) {
        reserve(9, in: &buffer)
        if u <= 0x7F {
            buffer.append(UInt8(u))  // positive fixint
        } else if u <= UInt64(UInt8.max) {
            append(0xCC, UInt8(u), to: &buffer)
        } else if u <= UInt64(UInt16.max) {
            append(0xCD, UInt16(u), to: &buffer)
        } else if u <= UInt64(UInt32.max) {
            append(0xCE, UInt32(u), to: &buffer)
        } else {
            append(0xCF, u, to: &buffer)
        }
    }

    /// Writes the header of a string, bin, ext, array or map of `length`, reserving room for the
    /// header and, for byte payloads, the bytes that follow (`fix` is the fix format's base and
    /// largest length; formats a family lacks are `nil`).
    @inline(__always)
    static func writeHeader(
        length: Int, fix: (base: UInt8, max: Int)?, w8: UInt8?, w16: UInt8, w32: UInt8, kind: StaticString,
        into buffer: inout [UInt8]
    ) throws(CodecError) {
        guard length <= Int(UInt32.max) else {
            throw .unencodable(codec: MessagePackCodec.name, reason: "\(kind) of length \(length) exceeds MessagePack's limit of \(UInt32.max)")
        }
        // Containers reserve one byte per element, the least each can take.
        reserve(5 + length, in: &buffer)
        if let fix, length <= fix.max {
            buffer.append(fix.base | UInt8(length))
        } else if let w8, length <= Int(UInt8.max) {
            append(w8, UInt8(length), to: &buffer)
        } else if length <= Int(UInt16.max) {
            append(w16, UInt16(length), to: &buffer)
        } else {
            append(w32, UInt32(length), to: &buffer)
        }
    }

    @inline(__always)
    static func checkDepth(_ depth: Int, _ maxDepth: Int) throws(CodecError) {
        guard depth < maxDepth else {
            throw .unencodable(codec: MessagePackCodec.name, reason: "containers nest deeper than max_depth (\(maxDepth))")
        }
    }

    /// Appends a format byte and a big-endian field.
    @inline(__always)
    static func append<T: FixedWidthInteger>(_ marker: UInt8, _ field: T, to buffer: inout [UInt8]) {
        buffer.append(marker)
        // Byte by byte: appending a few bytes through a raw buffer costs more than the bytes.
        var shift = T.bitWidth - 8
        while shift >= 0 {
            buffer.append(UInt8(truncatingIfNeeded: field >> shift))
            shift -= 8
        }
    }

    /// Makes room for `extra` more bytes, growing geometrically: repeated exact reservations
    /// would copy the buffer once per value.
    @inline(__always)
    static func reserve(_ extra: Int, in buffer: inout [UInt8]) {
        let needed = buffer.count + extra
        if needed > buffer.capacity {
            buffer.reserveCapacity(Swift.max(needed, buffer.capacity * 2))
        }
    }
}
