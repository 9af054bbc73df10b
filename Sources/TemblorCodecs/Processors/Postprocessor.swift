/// Transforms encoded frames before they leave (append a separator, prefix a length, compress):
/// the inverse of a `Preprocessor`.
///
/// One instance per stream: compressors keep their dictionary between frames.
public protocol Postprocessor {
    /// Feeds one encoded frame and appends the bytes to send to `output`.
    mutating func process(_ frame: ArraySlice<UInt8>, into output: inout [ArraySlice<UInt8>]) throws(CodecError)
    /// The stream ends: appends whatever is still buffered (a compressor's trailer).
    mutating func finish(into output: inout [ArraySlice<UInt8>]) throws(CodecError)
}
