/// Ends every frame with a separator (a newline unless configured): the inverse of the
/// `separate` preprocessor.
///
/// The frame and the separator are emitted as two pieces, so the frame is not copied. Frames that
/// contain the separator are not escaped; the receiver will split them.
public struct SeparatePostprocessor: Postprocessor {
    private let separator: ArraySlice<UInt8>

    /// - Parameter separator: one or more bytes written after every frame.
    public init(separator: [UInt8] = [0x0A]) {
        precondition(!separator.isEmpty, "separate: the separator must not be empty")
        self.separator = separator[...]
    }

    /// Reads `separator` (default "\n").
    public init(config: CodecConfig) throws(CodecError) {
        try config.allowOnly(["separator"])
        let separator = Array(try config.string("separator", default: "\n").utf8)
        guard !separator.isEmpty else {
            throw .badConfig(name: config.name, key: "separator", message: "must hold at least one byte")
        }
        self.init(separator: separator)
    }

    public mutating func process(_ frame: ArraySlice<UInt8>, into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        if !frame.isEmpty {
            output.append(frame)
        }
        output.append(separator)
    }

    public mutating func finish(into output: inout [ArraySlice<UInt8>]) throws(CodecError) {}
}
