import TemblorValue

/// A frame is opaque bytes: decoding yields `.bytes`, encoding writes bytes or a string's UTF-8.
public struct BinaryCodec: Codec {
    /// The codec has no settings.
    public init() {}

    /// Accepts only an empty configuration, so that a misplaced key is reported.
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly([])
    }

    /// Copies the frame into a bytes value.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        .bytes(Array(bytes))
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
