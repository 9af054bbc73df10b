import TemblorValue

/// A frame is one UTF-8 string; invalid UTF-8 is an error, never silently replaced.
public struct StringCodec: Codec {
    /// The codec has no settings.
    public init() {}

    /// Accepts only an empty configuration, so that a misplaced key is reported.
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly([])
    }

    /// Decodes the whole frame as one string.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        let utf8 = try UTF8Validation.text(bytes, codec: "string")
        return .string(String(decoding: utf8, as: UTF8.self))
    }

    /// Strings encode as their UTF-8; bytes pass through; anything else is written as JSON text.
    public mutating func encode(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        switch value {
        case .string(let s):
            buffer.append(contentsOf: s.utf8)
        case .bytes(let b):
            buffer.append(contentsOf: b)
        default:
            try JSONWriter.write(value, into: &buffer)
        }
    }
}
