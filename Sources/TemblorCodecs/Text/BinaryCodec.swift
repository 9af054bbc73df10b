import TemblorValue

/// A frame is opaque bytes: decoding yields `.bytes`, encoding writes bytes or a string's UTF-8.
public struct BinaryCodec: Codec {
    public init() {}

    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly([])
    }

    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        .bytes(Array(bytes))
    }

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
