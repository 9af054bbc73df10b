import TemblorValue

/// Decodes one MessagePack value from a frame with a cursor over raw memory.
///
/// Every length is checked against the bytes left before anything is read or allocated, so a
/// hostile frame fails with the offset of the value at fault instead of trapping or allocating.
struct MessagePackReader {
    private let raw: UnsafeRawBufferPointer
    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    /// The offset of the next byte to read.
    private(set) var offset = 0

    /// A reader over `raw`, refusing containers nested deeper than `maxDepth`.
    init(_ raw: UnsafeRawBufferPointer, maxDepth: Int) {
        self.raw = raw
        self.bytes = raw.bindMemory(to: UInt8.self)
        self.maxDepth = maxDepth
    }

    /// Reads the single value a frame holds; anything after it is an error.
    mutating func readFrame() throws(CodecError) -> Value {
        let value = try readValue(depth: 0)
        guard offset == raw.count else {
            throw error("\(raw.count - offset) trailing byte(s) after the value", at: offset)
        }
        return value
    }

    /// Reads one value; `depth` counts the containers around it.
    mutating func readValue(depth: Int) throws(CodecError) -> Value {
        let start = offset
        guard offset < raw.count else {
            throw error("input ends where a value should start", at: offset)
        }
        let marker = bytes[offset]
        offset += 1
        switch marker {
        case 0x00...0x7F:
            return .int(Int64(marker))
        case 0x80...0x8F:
            return try map(count: Int(marker & 0x0F), format: "fixmap", start: start, depth: depth)
        case 0x90...0x9F:
            return try array(count: Int(marker & 0x0F), format: "fixarray", start: start, depth: depth)
        case 0xA0...0xBF:
            return .string(try string(length: Int(marker & 0x1F), format: "fixstr", start: start))
        case 0xC0:
            return .null
        case 0xC1:
            throw error("reserved byte 0xc1 is not a MessagePack format", at: start)
        case 0xC2:
            return .bool(false)
        case 0xC3:
            return .bool(true)
        case 0xC4:
            let length = Int(try load(UInt8.self, format: "bin8", start: start))
            return .bytes(try bin(length: length, format: "bin8", start: start))
        case 0xC5:
            let length = Int(try load(UInt16.self, format: "bin16", start: start))
            return .bytes(try bin(length: length, format: "bin16", start: start))
        case 0xC6:
            let length = Int(try load(UInt32.self, format: "bin32", start: start))
            return .bytes(try bin(length: length, format: "bin32", start: start))
        case 0xC7:
            let length = Int(try load(UInt8.self, format: "ext8", start: start))
            return try ext(length: length, format: "ext8", start: start)
        case 0xC8:
            let length = Int(try load(UInt16.self, format: "ext16", start: start))
            return try ext(length: length, format: "ext16", start: start)
        case 0xC9:
            let length = Int(try load(UInt32.self, format: "ext32", start: start))
            return try ext(length: length, format: "ext32", start: start)
        case 0xCA:
            let bits = try load(UInt32.self, format: "float32", start: start)
            return .float(Double(Float(bitPattern: bits)))
        case 0xCB:
            return .float(Double(bitPattern: try load(UInt64.self, format: "float64", start: start)))
        case 0xCC:
            return .int(Int64(try load(UInt8.self, format: "uint8", start: start)))
        case 0xCD:
            return .int(Int64(try load(UInt16.self, format: "uint16", start: start)))
        case 0xCE:
            return .int(Int64(try load(UInt32.self, format: "uint32", start: start)))
        case 0xCF:
            return .integer(try load(UInt64.self, format: "uint64", start: start))
        case 0xD0:
            return .int(Int64(try load(Int8.self, format: "int8", start: start)))
        case 0xD1:
            return .int(Int64(try load(Int16.self, format: "int16", start: start)))
        case 0xD2:
            return .int(Int64(try load(Int32.self, format: "int32", start: start)))
        case 0xD3:
            return .int(try load(Int64.self, format: "int64", start: start))
        case 0xD4:
            return try ext(length: 1, format: "fixext1", start: start)
        case 0xD5:
            return try ext(length: 2, format: "fixext2", start: start)
        case 0xD6:
            return try ext(length: 4, format: "fixext4", start: start)
        case 0xD7:
            return try ext(length: 8, format: "fixext8", start: start)
        case 0xD8:
            return try ext(length: 16, format: "fixext16", start: start)
        case 0xD9:
            let length = Int(try load(UInt8.self, format: "str8", start: start))
            return .string(try string(length: length, format: "str8", start: start))
        case 0xDA:
            let length = Int(try load(UInt16.self, format: "str16", start: start))
            return .string(try string(length: length, format: "str16", start: start))
        case 0xDB:
            let length = Int(try load(UInt32.self, format: "str32", start: start))
            return .string(try string(length: length, format: "str32", start: start))
        case 0xDC:
            let count = Int(try load(UInt16.self, format: "array16", start: start))
            return try array(count: count, format: "array16", start: start, depth: depth)
        case 0xDD:
            let count = Int(try load(UInt32.self, format: "array32", start: start))
            return try array(count: count, format: "array32", start: start, depth: depth)
        case 0xDE:
            let count = Int(try load(UInt16.self, format: "map16", start: start))
            return try map(count: count, format: "map16", start: start, depth: depth)
        case 0xDF:
            let count = Int(try load(UInt32.self, format: "map32", start: start))
            return try map(count: count, format: "map32", start: start, depth: depth)
        default:  // 0xE0...0xFF, negative fixint
            return .int(Int64(Int8(bitPattern: marker)))
        }
    }

    // MARK: - Containers

    private mutating func array(count: Int, format: StaticString, start: Int, depth: Int) throws(CodecError) -> Value {
        guard depth < maxDepth else {
            throw error("\(format) nests deeper than max_depth (\(maxDepth))", at: start)
        }
        // Every element takes at least one byte: a count past the bytes left cannot be honest.
        guard count <= raw.count - offset else {
            throw error("\(format) claims \(count) elements but only \(raw.count - offset) byte(s) remain", at: start)
        }
        var elements: [Value] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try readValue(depth: depth + 1))
        }
        return .array(elements)
    }

    private mutating func map(count: Int, format: StaticString, start: Int, depth: Int) throws(CodecError) -> Value {
        guard depth < maxDepth else {
            throw error("\(format) nests deeper than max_depth (\(maxDepth))", at: start)
        }
        // Every entry takes at least two bytes (a key and a value).
        guard count <= (raw.count - offset) / 2 else {
            throw error("\(format) claims \(count) entries but only \(raw.count - offset) byte(s) remain", at: start)
        }
        var object = Object(minimumCapacity: count)
        for _ in 0..<count {
            let key = try key()
            object.updateValue(try readValue(depth: depth + 1), forKey: key)  // a repeated key keeps its last value
        }
        return .object(object)
    }

    /// Reads a map key: strings as they are, integers as their decimal text, anything else an error.
    private mutating func key() throws(CodecError) -> String {
        let start = offset
        guard offset < raw.count else {
            throw error("input ends where a map key should start", at: offset)
        }
        let marker = bytes[offset]
        switch marker {
        case 0xA0...0xBF:
            offset += 1
            return try string(length: Int(marker & 0x1F), format: "fixstr", start: start)
        case 0xD9...0xDB, 0x00...0x7F, 0xE0...0xFF, 0xCC...0xD3:
            switch try readValue(depth: 0) {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .uint(let u): return String(u)
            default: throw error("map key is not a string or an integer", at: start)
            }
        case 0xC1:
            throw error("reserved byte 0xc1 is not a MessagePack format", at: start)
        default:
            throw error("map key must be a string or an integer, not \(Self.formatName(marker))", at: start)
        }
    }

    // MARK: - Scalars

    /// Reads a big-endian field that follows a format byte at `start`.
    @inline(__always)
    private mutating func load<T: FixedWidthInteger>(_: T.Type, format: StaticString, start: Int) throws(CodecError) -> T {
        let size = MemoryLayout<T>.size
        guard raw.count - offset >= size else {
            throw error("\(format) is truncated: needs \(size) byte(s) after offset \(offset), \(raw.count - offset) remain", at: start)
        }
        let value = T(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
        offset += size
        return value
    }

    /// Claims `length` payload bytes after a header at `start`, checking them against what is left.
    @inline(__always)
    private mutating func payload(_ length: Int, format: StaticString, start: Int) throws(CodecError) -> UnsafeBufferPointer<UInt8> {
        guard length <= raw.count - offset else {
            throw error("\(format) length \(length) exceeds the \(raw.count - offset) byte(s) left", at: start)
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[offset..<offset + length])
        offset += length
        return slice
    }

    private mutating func string(length: Int, format: StaticString, start: Int) throws(CodecError) -> String {
        let payloadStart = offset
        let utf8 = try payload(length, format: format, start: start)
        // `String(validating:)` is not specialized for buffers and costs more than the whole
        // rest of the decode; checking here and building with `String(decoding:)` is cheaper.
        if !Self.isASCII(utf8), let bad = UTF8Validation.firstInvalidOffset(utf8) {
            throw .invalidUTF8(codec: MessagePackCodec.name, offset: payloadStart + bad)
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Whether every byte is below 0x80, eight bytes at a time: most keys and values are ASCII.
    @inline(__always)
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        var bits: UInt64 = 0
        while i + 8 <= count {
            bits |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < count {
            bits |= UInt64(base[i])
            i += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    private mutating func bin(length: Int, format: StaticString, start: Int) throws(CodecError) -> [UInt8] {
        Array(try payload(length, format: format, start: start))
    }

    /// Reads an extension's type byte and `length` data bytes into the `{"$ext": ...}` shape.
    private mutating func ext(length: Int, format: StaticString, start: Int) throws(CodecError) -> Value {
        let type = try load(Int8.self, format: format, start: start)
        let data = Array(try payload(length, format: format, start: start))
        return MessagePackExtension(type: type, data: data).value
    }

    private func error(_ message: String, at offset: Int) -> CodecError {
        .syntax(codec: MessagePackCodec.name, message: message, offset: offset)
    }

    /// The spec's name of the format a byte starts, for error messages.
    static func formatName(_ marker: UInt8) -> String {
        switch marker {
        case 0x00...0x7F: "positive fixint"
        case 0x80...0x8F: "fixmap"
        case 0x90...0x9F: "fixarray"
        case 0xA0...0xBF: "fixstr"
        case 0xC0: "nil"
        case 0xC1: "reserved 0xc1"
        case 0xC2, 0xC3: "bool"
        case 0xC4: "bin8"
        case 0xC5: "bin16"
        case 0xC6: "bin32"
        case 0xC7: "ext8"
        case 0xC8: "ext16"
        case 0xC9: "ext32"
        case 0xCA: "float32"
        case 0xCB: "float64"
        case 0xCC: "uint8"
        case 0xCD: "uint16"
        case 0xCE: "uint32"
        case 0xCF: "uint64"
        case 0xD0: "int8"
        case 0xD1: "int16"
        case 0xD2: "int32"
        case 0xD3: "int64"
        case 0xD4: "fixext1"
        case 0xD5: "fixext2"
        case 0xD6: "fixext4"
        case 0xD7: "fixext8"
        case 0xD8: "fixext16"
        case 0xD9: "str8"
        case 0xDA: "str16"
        case 0xDB: "str32"
        case 0xDC: "array16"
        case 0xDD: "array32"
        case 0xDE: "map16"
        case 0xDF: "map32"
        default: "negative fixint"
        }
    }
}
