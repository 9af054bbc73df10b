import TemblorValue

/// InfluxDB line protocol, one point per frame, in Tremor's shape:
/// `{"measurement": String, "tags": {String: String}, "fields": {String: value}, "timestamp": Int}`.
///
/// Decoding: `tags` is always present (possibly empty); `timestamp` is omitted when the line
/// has none; integers (`1i`) and unsigned integers (`1u`) become integers, plain numbers
/// floats. A blank or comment (`#`) line holds no point and decodes to null.
/// Encoding: tags sorted by key bytes, fields in insertion order, `timestamp` written when it
/// is an integer and skipped when missing or null; other keys are ignored.
public struct InfluxCodec: Codec {
    /// The codec has no settings: line protocol leaves no choices to the reader.
    public init() {}

    /// Accepts only an empty configuration, so that a misplaced key is reported.
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly([])
    }

    /// Decodes one line; a repeated tag or field key keeps its last value.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        let utf8 = try UTF8Validation.text(bytes, codec: "influx")
        var parser = InfluxLineParser(bytes: utf8)
        return try parser.parse()
    }

    /// Appends one line without a line terminator.
    public mutating func encode(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        try InfluxLineWriter.write(value, into: &buffer)
    }
}
