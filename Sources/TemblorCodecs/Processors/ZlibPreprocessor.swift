/// Decompresses a zlib stream (RFC 1950) into the bytes it holds, in pieces: not frames, so
/// `separate` or another framing preprocessor usually follows.
///
/// zlib streams that follow one another decode one after the other; an empty input is an empty
/// stream. Corrupt data throws `syntax`, a stream that stops inside a zlib stream throws
/// `truncated`, and more output than `max_output` throws `outputTooLarge` (a decompression bomb);
/// after any of these the processor stays failed.
public struct ZlibPreprocessor: Preprocessor {
    /// The most decompressed bytes one stream may produce unless configured: 1 GiB.
    public static let defaultMaxOutput = 1024 * 1024 * 1024

    private var stream: InflateStream

    /// - Parameter maxOutput: the most decompressed bytes per stream; 0 means unlimited.
    public init(maxOutput: Int = defaultMaxOutput) {
        stream = InflateStream(name: "zlib", format: .zlib, maxOutput: maxOutput)
    }

    /// Reads `max_output` (default 1 GiB, 0 for unlimited).
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["max_output"])
        let maxOutput = try config.int("max_output", default: Self.defaultMaxOutput, in: 0...Int.max)
        stream = InflateStream(name: config.name, format: .zlib, maxOutput: maxOutput)
    }

    public mutating func process(_ chunk: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try stream.process(chunk, into: &frames)
    }

    /// Throws `truncated` when the stream stopped inside a compressed member.
    public mutating func finish(into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try stream.finish(into: &frames)
    }
}
