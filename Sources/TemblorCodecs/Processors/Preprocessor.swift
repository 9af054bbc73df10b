/// Frames and transforms raw bytes before a codec sees them (split lines, strip a length prefix,
/// decompress).
///
/// One instance per stream: it keeps the partial frame that a chunk boundary cut, so chunks may
/// be split anywhere. Frames are slices; they may share storage with the input chunk.
public protocol Preprocessor {
    /// Feeds the next chunk of the stream and appends every frame it completes to `frames`.
    mutating func process(_ chunk: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError)
    /// The stream ended: appends any last frame, or throws when the stream stopped inside one.
    mutating func finish(into frames: inout [ArraySlice<UInt8>]) throws(CodecError)
    /// For each frame the last call appended, its 1-based record number in the input (the line
    /// number, for `separate` on newlines), so errors can point at the input; empty when the
    /// preprocessor does not count records.
    var lastFrameRecords: [Int] { get }
}

extension Preprocessor {
    public var lastFrameRecords: [Int] { [] }
}
