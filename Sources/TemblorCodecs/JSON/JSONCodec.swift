import TemblorValue

/// JSON, one document per frame: decoded by simdjson, encoded by `JSONWriter`.
///
/// Integers stay integers (`Int64`, `UInt64` above), floats stay floats, invalid UTF-8 is
/// rejected, and every syntax error names its byte offset. Bytes encode as a base64 string.
public struct JSONCodec: Codec {
    private let parser = SimdjsonParser()
    private let output = ByteSinkStorage()

    public init() {}

    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly([])
    }

    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        try parser.parse(bytes)
    }

    /// Decodes a frame followed by at least `JSONCodec.padding` readable bytes, saving a copy.
    public mutating func decode(padded bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        try parser.parse(bytes, padded: true)
    }

    /// Checks that a frame (followed by `JSONCodec.padding` readable bytes) is valid JSON
    /// without building its value: for paths that only validate, and to measure the parser alone.
    public mutating func validate(padded bytes: UnsafeRawBufferPointer) throws(CodecError) {
        _ = try parser.parseTape(bytes, padded: true)
    }

    public mutating func encode(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        output.sink.reset()
        try JSONWriter.write(value, to: &output.sink)
        output.sink.copy(into: &buffer)
    }

    /// Readable bytes a padded input must have after its end.
    public static let padding = 64

    /// The SIMD implementation simdjson uses on this CPU, for diagnostics and benchmarks.
    public static var implementation: String { SimdjsonParser.implementation }
}
