/// Decodes a stream of standard base64 (RFC 4648 alphabet) into the bytes it encodes; the output
/// is a byte stream in pieces, not frames.
///
/// Groups may be cut anywhere by chunk boundaries (the leftover characters wait for the next chunk)
/// and CR, LF, space and tab between characters are ignored, so line-wrapped MIME text decodes. A
/// padded group (`xx==`, `xxx=`) may be followed by more groups, so the concatenated output of the
/// `base64` postprocessor, which encodes each frame on its own, decodes back to the frames' bytes.
/// At the end of the stream an unpadded final group of 2 or 3 characters is accepted.
///
/// A character outside the alphabet, or misplaced padding, throws `syntax` with its byte offset
/// in the stream; the whole chunk holding it is dropped (with any group begun before it) and
/// decoding starts afresh with the next chunk. When this processor follows `separate`, a chunk is
/// a line, so exactly the bad line is lost.
public struct Base64Preprocessor: Preprocessor {
    /// The bits of the characters of the current group, accumulated.
    private var bits: UInt32 = 0
    /// Characters of the current group seen so far (0...3).
    private var count = 0
    /// One `=` seen after two characters; a second must follow.
    private var padding = false
    /// The stream offset of the next chunk's first byte.
    private var offset = 0

    public init() {}

    /// Takes no configuration.
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly([])
    }

    public mutating func process(_ chunk: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        let chunkOffset = offset
        offset += chunk.count
        guard !chunk.isEmpty else { return }
        var state = (bits: bits, count: count, padding: padding)
        var failure: (position: Int, message: String)?
        let capacity = (chunk.count / 4 + 1) * 3
        let decoded = [UInt8](unsafeUninitializedCapacity: capacity) { output, written in
            written = 0
            failure = chunk.withUnsafeBufferPointer { input -> (Int, String)? in
                Self.decode(input, state: &state, into: output, written: &written)
            }
        }
        if let failure {
            bits = 0
            count = 0
            padding = false
            throw .syntax(codec: "base64", message: failure.message, offset: chunkOffset + failure.position)
        }
        (bits, count, padding) = state
        if !decoded.isEmpty {
            frames.append(decoded[...])
        }
    }

    /// Decodes an unpadded final group; throws `truncated` when the stream stopped where no group
    /// can end (one character, or a single `=`).
    public mutating func finish(into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        defer {
            bits = 0
            count = 0
            padding = false
        }
        if padding {
            throw .truncated(processor: "base64", message: "a group ended after its first '='; expected '=='")
        }
        switch count {
        case 1:
            throw .truncated(processor: "base64", message: "a group of one character; a group needs at least two")
        case 2:
            frames.append([UInt8(truncatingIfNeeded: bits >> 4)])
        case 3:
            frames.append([UInt8(truncatingIfNeeded: bits >> 10), UInt8(truncatingIfNeeded: bits >> 2)])
        default:
            break
        }
    }

    /// Decodes `input` into `output` (sized for every group it may complete), continuing `state`.
    /// Returns the position and description of the first bad character, if any.
    private static func decode(
        _ input: UnsafeBufferPointer<UInt8>,
        state: inout (bits: UInt32, count: Int, padding: Bool),
        into output: UnsafeMutableBufferPointer<UInt8>,
        written: inout Int
    ) -> (Int, String)? {
        var (bits, count, padding) = state
        var out = written
        defer {
            state = (bits, count, padding)
            written = out
        }
        let table = Base64Preprocessor.table
        for position in input.indices {
            let byte = input[position]
            let value = table[Int(byte)]
            if value < 64 {
                if padding { return (position, "data after '=' in a group") }
                bits = bits << 6 | UInt32(value)
                count += 1
                if count == 4 {
                    output[out] = UInt8(truncatingIfNeeded: bits >> 16)
                    output[out + 1] = UInt8(truncatingIfNeeded: bits >> 8)
                    output[out + 2] = UInt8(truncatingIfNeeded: bits)
                    out += 3
                    bits = 0
                    count = 0
                }
            } else if value == whitespace {
                continue
            } else if value == pad {
                switch count {
                case 2 where !padding:
                    padding = true
                case 2:
                    output[out] = UInt8(truncatingIfNeeded: bits >> 4)
                    out += 1
                    (bits, count, padding) = (0, 0, false)
                case 3:
                    output[out] = UInt8(truncatingIfNeeded: bits >> 10)
                    output[out + 1] = UInt8(truncatingIfNeeded: bits >> 2)
                    out += 2
                    (bits, count) = (0, 0)
                default:
                    return (position, "'=' after \(count) character\(count == 1 ? "" : "s") of a group; padding needs two or three")
                }
            } else {
                return (position, "invalid character \(describe(byte))")
            }
        }
        return nil
    }

    /// A byte as an error message shows it: printable ASCII quoted, anything else in hex.
    private static func describe(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        if byte >= 0x20 && byte < 0x7F {
            return "'\(Character(Unicode.Scalar(byte)))' (\(hex))"
        }
        return hex
    }

    private static let whitespace: UInt8 = 0x40
    private static let pad: UInt8 = 0x41
    private static let invalid: UInt8 = 0xFF

    /// Each byte's 6-bit value, or `whitespace`, `pad` or `invalid`.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: invalid, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        for character in [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n")] {
            table[Int(character)] = whitespace
        }
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()
}
