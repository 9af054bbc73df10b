import TemblorValue

/// MessagePack, one value per frame, covering the whole spec.
///
/// Decoding maps nil to `null`, bool to `bool`, every integer format to `int` (`uint` above
/// `Int64.max`), float32 and float64 to `float`, str to `string` (invalid UTF-8 is an error),
/// bin to `bytes`, array to `array` and map to `object`. Map keys must be strings or integers;
/// integer keys become their decimal text, any other key is an error naming its offset, and a
/// repeated key keeps its last value. Every ext, the timestamp (type -1) included, decodes to
/// `{"$ext": {"type": <int>, "data": <bytes>}}` (see `MessagePackExtension`,
/// `MessagePackTimestamp`), which encodes back to the same bytes.
///
/// Encoding picks the smallest format for each value; `float` is always float64 (lossless),
/// `bytes` is bin, `string` is str, and an object of exactly the ext shape is an ext.
/// A frame holds exactly one value: trailing bytes, truncation, the reserved byte 0xc1, lengths
/// past the end of the frame and nesting past `max_depth` are errors naming the byte offset.
///
/// Config: `max_depth` (default 1024, 1...1024), the deepest nesting of arrays and maps accepted
/// when decoding and when encoding.
public struct MessagePackCodec: Codec {
    /// The name the registry, flows and error messages use.
    public static let name = "msgpack"
    /// The deepest nesting accepted by default; also the most `max_depth` allows, which keeps
    /// the recursive reader and writer well inside a thread's stack.
    public static let defaultMaxDepth = 1024

    /// The deepest nesting of arrays and maps this instance decodes or encodes.
    public let maxDepth: Int

    /// A codec with the default nesting limit.
    public init() {
        maxDepth = Self.defaultMaxDepth
    }

    /// A codec with a nesting limit, clamped into 1...1024.
    public init(maxDepth: Int) {
        self.maxDepth = min(max(maxDepth, 1), Self.defaultMaxDepth)
    }

    /// A codec configured from a flow; only `max_depth` is read.
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["max_depth"])
        maxDepth = try config.int("max_depth", default: Self.defaultMaxDepth, in: 1...Self.defaultMaxDepth)
    }

    /// Decodes the single value the frame holds.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Value {
        var reader = MessagePackReader(bytes, maxDepth: maxDepth)
        return try reader.readFrame()
    }

    /// Appends the value's encoding; fails only past `max_depth` or for a string, bytes, array
    /// or object longer than 2^32-1.
    public mutating func encode(_ value: Value, into buffer: inout [UInt8]) throws(CodecError) {
        try MessagePackWriter.write(value, into: &buffer, depth: 0, maxDepth: maxDepth)
    }
}
