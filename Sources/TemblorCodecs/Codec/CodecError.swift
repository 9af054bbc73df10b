/// Why bytes could not become a value, or a value could not become bytes.
///
/// Every case names the codec or processor at fault and, where it applies, the byte offset
/// within the frame, so that a user can find the bad input.
public enum CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input breaks the format's syntax at `offset` (a byte offset within the frame).
    case syntax(codec: String, message: String, offset: Int?)
    /// The input holds bytes that are not UTF-8 where the format requires text.
    case invalidUTF8(codec: String, offset: Int)
    /// The value cannot be written in this format (a NaN in JSON, a nested object in CSV).
    case unencodable(codec: String, reason: String)
    /// A frame grew past the configured maximum; the processor discards it and resynchronises.
    case frameTooLong(processor: String, limit: Int)
    /// A decompressor produced more than its configured maximum (a decompression bomb).
    case outputTooLarge(processor: String, limit: Int)
    /// The stream ended in the middle of a frame.
    case truncated(processor: String, message: String)
    /// A codec or processor name that Temblor does not know.
    case unknown(kind: String, name: String, known: [String])
    /// A configuration key is missing, has the wrong type, or an invalid value.
    case badConfig(name: String, key: String, message: String)

    public var description: String {
        switch self {
        case .syntax(let codec, let message, let offset?):
            "\(codec): \(message) at byte \(offset)"
        case .syntax(let codec, let message, nil):
            "\(codec): \(message)"
        case .invalidUTF8(let codec, let offset):
            "\(codec): invalid UTF-8 at byte \(offset)"
        case .unencodable(let codec, let reason):
            "\(codec): cannot encode: \(reason)"
        case .frameTooLong(let processor, let limit):
            "\(processor): frame longer than \(limit) bytes (raise max_length or check the separator)"
        case .outputTooLarge(let processor, let limit):
            "\(processor): decompressed stream exceeds \(limit) bytes (raise max_output if the data is trusted)"
        case .truncated(let processor, let message):
            "\(processor): stream ended inside a frame: \(message)"
        case .unknown(let kind, let name, let known):
            "unknown \(kind) '\(name)'; known: \(known.joined(separator: ", "))"
        case .badConfig(let name, let key, let message):
            "\(name): config '\(key)': \(message)"
        }
    }
}
