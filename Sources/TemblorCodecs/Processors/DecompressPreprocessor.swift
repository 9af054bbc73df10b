/// Decompresses gzip or zlib, detected from the first two bytes of the stream (gzip: `1f 8b`;
/// zlib: `78` and a valid zlib header check byte), and passes anything else through unchanged.
///
/// The format is decided once per stream; later members must be of the same format. Otherwise
/// it behaves as the `gzip` and `zlib` preprocessors, including the `max_output` limit. Plain
/// text that happens to begin with `x^` (`78 5e`) is taken for zlib.
public struct DecompressPreprocessor: Preprocessor {
    /// The most decompressed bytes one stream may produce unless configured: 1 GiB.
    public static let defaultMaxOutput = 1024 * 1024 * 1024

    private var stream: InflateStream

    /// - Parameter maxOutput: the most decompressed bytes per stream; 0 means unlimited.
    public init(maxOutput: Int = defaultMaxOutput) {
        stream = InflateStream(name: "decompress", format: .auto, maxOutput: maxOutput)
    }

    /// Reads `max_output` (default 1 GiB, 0 for unlimited).
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["max_output"])
        let maxOutput = try config.int("max_output", default: Self.defaultMaxOutput, in: 0...Int.max)
        stream = InflateStream(name: config.name, format: .auto, maxOutput: maxOutput)
    }

    public mutating func process(_ chunk: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try stream.process(chunk, into: &frames)
    }

    /// Throws `truncated` when the stream stopped inside a compressed member.
    public mutating func finish(into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try stream.finish(into: &frames)
    }
}
