import TemblorValue

/// A frame is opaque bytes: decoding yields `.bytes`, encoding writes bytes or a string's UTF-8.
public struct BinaryCodec: Codec {
    /// Zeroed bytes allocated after each decoded frame (beyond its count), so that a parser
    /// reading ahead, such as simdjson, can read the frame in place instead of copying it.
    public let padding: Int

    public init(padding: Int = 0) {
        self.padding = padding
    }

    /// Accepts only `padding` (default 0, at most 4096), so that a misplaced key is reported.
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["padding"])
        padding = try config.int("padding", default: 0, in: 0...4096)
    }

    /// Copies the frame into a bytes value.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        guard padding > 0 else { return .bytes(Array(bytes)) }
        let count = bytes.count
        return .bytes(Array(unsafeUninitializedCapacity: count + padding) { buffer, initialized in
            let base = buffer.baseAddress!
            if count > 0 { base.initialize(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count) }
            (base + count).initialize(repeating: 0, count: padding)
            initialized = count
        })
    }

    /// Writes bytes as they are and strings as their UTF-8; other values have no binary form.
    public mutating func encode(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        switch value {
        case .bytes(let b):
            buffer.append(contentsOf: b)
        case .string(let s):
            buffer.append(contentsOf: s.utf8)
        default:
            throw .unencodable(codec: "binary", reason: "expected bytes or a string, got \(value.typeName)")
        }
    }
}
