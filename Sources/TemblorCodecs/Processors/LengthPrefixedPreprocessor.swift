/// Splits a byte stream into frames that each follow a big-endian length prefix of 1, 2, 4 or 8
/// bytes; the prefix is not part of the frame, and a zero length gives an empty frame.
///
/// A payload that lies wholly inside one chunk is emitted as a slice of it, without copying.
/// A length above `max_length` throws `frameTooLong`. Nothing marks where the next frame would
/// start, so the processor cannot resynchronise: it stays failed, and every later `process` or
/// `finish` call throws the same error.
public struct LengthPrefixedPreprocessor: Preprocessor {
    /// The longest frame accepted unless configured: 8 MiB.
    public static let defaultMaxLength = 8 * 1024 * 1024

    private let lengthBytes: Int
    private let maxLength: Int
    /// The prefix bytes read so far, accumulated big-endian.
    private var prefix: UInt64 = 0
    private var prefixRead = 0
    /// Payload bytes still to come for the current frame, or nil while reading a prefix.
    private var remaining: Int?
    /// The payload so far of a frame that a chunk boundary cut.
    private var carry: [UInt8] = []
    private var failure: CodecError?

    /// - Parameters:
    ///   - lengthBytes: the prefix width: 1, 2, 4 or 8.
    ///   - maxLength: the longest frame in bytes; 0 means unlimited.
    public init(lengthBytes: Int = 4, maxLength: Int = defaultMaxLength) {
        precondition([1, 2, 4, 8].contains(lengthBytes), "length-prefixed: length_bytes must be 1, 2, 4 or 8")
        self.lengthBytes = lengthBytes
        self.maxLength = maxLength <= 0 ? Int.max : maxLength
    }

    /// Reads `length_bytes` (1, 2, 4 or 8; default 4) and `max_length` (default 8 MiB, 0 for unlimited).
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["length_bytes", "max_length"])
        let lengthBytes = try Self.lengthBytes(from: config)
        let maxLength = try config.int("max_length", default: Self.defaultMaxLength, in: 0...Int.max)
        self.init(lengthBytes: lengthBytes, maxLength: maxLength)
    }

    public mutating func process(_ chunk: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        if let failure { throw failure }
        var index = chunk.startIndex
        while index < chunk.endIndex {
            if let need = remaining {
                let available = chunk.endIndex - index
                if carry.isEmpty && available >= need {
                    frames.append(chunk[index..<(index + need)])
                    index += need
                    remaining = nil
                    continue
                }
                let take = min(need, available)
                carry.append(contentsOf: chunk[index..<(index + take)])
                index += take
                if take == need {
                    frames.append(carry[...])
                    carry = []
                    remaining = nil
                } else {
                    remaining = need - take
                }
            } else {
                prefix = prefix << 8 | UInt64(chunk[index])
                prefixRead += 1
                index += 1
                guard prefixRead == lengthBytes else { continue }
                let length = prefix
                prefix = 0
                prefixRead = 0
                guard length <= UInt64(maxLength) else {
                    let error = CodecError.frameTooLong(processor: "length-prefixed", limit: maxLength)
                    failure = error
                    throw error
                }
                if length == 0 {
                    frames.append([])
                } else {
                    remaining = Int(length)
                }
            }
        }
    }

    /// Throws `truncated` when the stream stopped inside a prefix or a payload.
    public mutating func finish(into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        if let failure { throw failure }
        if prefixRead > 0 {
            let error = CodecError.truncated(
                processor: "length-prefixed",
                message: "\(prefixRead) of \(lengthBytes) length-prefix bytes")
            failure = error
            throw error
        }
        if let need = remaining {
            let error = CodecError.truncated(
                processor: "length-prefixed",
                message: "\(carry.count) of \(carry.count + need) payload bytes")
            failure = error
            throw error
        }
    }

    /// Reads the `length_bytes` setting both length-prefixed processors share.
    static func lengthBytes(from config: CodecConfig) throws(CodecError) -> Int {
        let width = try config.int("length_bytes", default: 4, in: 1...8)
        guard [1, 2, 4, 8].contains(width) else {
            throw .badConfig(name: config.name, key: "length_bytes", message: "expected 1, 2, 4 or 8, got \(width)")
        }
        return width
    }
}
