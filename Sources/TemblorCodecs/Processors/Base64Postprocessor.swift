import ExtrasBase64

/// Encodes every frame as standard, padded base64 (RFC 4648) without line breaks: the inverse of
/// the `base64` preprocessor, which decodes the concatenated groups back to the frames' bytes.
///
/// Each frame is encoded on its own; follow with `separate` to keep one frame per line.
public struct Base64Postprocessor: Postprocessor {
    public init() {}

    /// Takes no configuration.
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly([])
    }

    public mutating func process(_ frame: ArraySlice<UInt8>, into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        guard !frame.isEmpty else { return }
        output.append(Base64.encodeToBytes(bytes: frame)[...])
    }

    public mutating func finish(into output: inout [ArraySlice<UInt8>]) throws(CodecError) {}
}
