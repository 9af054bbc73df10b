/// Writes every frame after a big-endian length prefix of 1, 2, 4 or 8 bytes: the inverse of the
/// `length-prefixed` preprocessor.
///
/// A frame longer than the prefix can state (255 bytes for 1, 65535 for 2, 4 GiB - 1 for 4) is
/// `unencodable`. The frame is emitted as its own piece, without copying.
public struct LengthPrefixedPostprocessor: Postprocessor {
    private let lengthBytes: Int

    /// - Parameter lengthBytes: the prefix width: 1, 2, 4 or 8.
    public init(lengthBytes: Int = 4) {
        precondition([1, 2, 4, 8].contains(lengthBytes), "length-prefixed: length_bytes must be 1, 2, 4 or 8")
        self.lengthBytes = lengthBytes
    }

    /// Reads `length_bytes` (1, 2, 4 or 8; default 4).
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["length_bytes"])
        self.init(lengthBytes: try LengthPrefixedPreprocessor.lengthBytes(from: config))
    }

    public mutating func process(_ frame: ArraySlice<UInt8>, into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        let length = UInt64(frame.count)
        if lengthBytes < 8 && length >> (8 * lengthBytes) != 0 {
            let limit = (UInt64(1) << (8 * lengthBytes)) - 1
            throw .unencodable(
                codec: "length-prefixed",
                reason: "a frame of \(frame.count) bytes does not fit a \(lengthBytes)-byte length prefix (at most \(limit))")
        }
        var prefix = [UInt8](repeating: 0, count: lengthBytes)
        for i in 0..<lengthBytes {
            prefix[i] = UInt8(truncatingIfNeeded: length >> (8 * (lengthBytes - 1 - i)))
        }
        output.append(prefix[...])
        if !frame.isEmpty {
            output.append(frame)
        }
    }

    public mutating func finish(into output: inout [ArraySlice<UInt8>]) throws(CodecError) {}
}
