import TemblorCodecs
import TemblorValue

/// Turns values into one stream's bytes: a codec and its own postprocessor state (a gzip
/// stream spans many events).
public struct StreamEncoder {
    private var codec: any Codec
    private var postprocessors: PostprocessorChain
    private var encoded: [UInt8] = []
    private var pieces: [ArraySlice<UInt8>] = []

    public init(codec: any Codec, postprocessors: PostprocessorChain) {
        self.codec = codec
        self.postprocessors = postprocessors
    }

    /// Appends the bytes for `value` to `output`.
    public mutating func encode(_ value: Value, into output: inout [UInt8]) throws(CodecError) {
        encoded.removeAll(keepingCapacity: true)
        try codec.encode(value, into: &encoded)
        pieces.removeAll(keepingCapacity: true)
        try postprocessors.process(encoded[...], into: &pieces)
        for piece in pieces { output.append(contentsOf: piece) }
    }

    /// The stream ends: appends what the postprocessors still hold (a compressor's trailer).
    public mutating func finish(into output: inout [UInt8]) throws(CodecError) {
        pieces.removeAll(keepingCapacity: true)
        try postprocessors.finish(into: &pieces)
        for piece in pieces { output.append(contentsOf: piece) }
    }
}
