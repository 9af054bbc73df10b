import CompressNIO

/// Compresses the byte stream of frames into one zlib stream (RFC 1950); `finish` writes the
/// trailer (the Adler-32 checksum).
public struct ZlibPostprocessor: Postprocessor {
    private var stream: DeflateStream

    /// - Parameters:
    ///   - level: 0 (store) to 9 (smallest); 6 is zlib's default balance.
    ///   - syncFlush: flush every frame so a receiver can decode it at once.
    public init(level: Int = 6, syncFlush: Bool = false) throws(CodecError) {
        stream = try DeflateStream(name: "zlib", algorithm: .zlib, level: level, syncFlush: syncFlush)
    }

    /// Reads `level` (0...9, default 6) and `flush` ("none", the default, or "sync": flush
    /// after every frame).
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["level", "flush"])
        let level = try config.int("level", default: 6, in: 0...9)
        let flush = try config.choice("flush", default: "none", in: ["none", "sync"])
        stream = try DeflateStream(name: config.name, algorithm: .zlib, level: level, syncFlush: flush == "sync")
    }

    public mutating func process(_ frame: ArraySlice<UInt8>, into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try stream.process(frame, into: &output)
    }

    /// Writes what zlib still holds and the stream's trailer.
    public mutating func finish(into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try stream.finish(into: &output)
    }
}
