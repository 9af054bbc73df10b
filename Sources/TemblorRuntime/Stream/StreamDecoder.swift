import TemblorCodecs
import TemblorValue

/// Turns one stream's bytes into values: its own preprocessor state and codec, so that chunk
/// boundaries and partial frames never mix between streams.
public struct StreamDecoder {
    /// One frame's outcome, numbered from 1 in stream order; `record` is its line (or record)
    /// number in the input when the preprocessors count them.
    public enum Outcome {
        case value(Value, frame: Int)
        case failure(CodecError, frame: Int, record: Int?, bytes: ArraySlice<UInt8>)
    }

    private var preprocessors: PreprocessorChain
    private var codec: any Codec
    private var frames: [ArraySlice<UInt8>] = []
    /// Frames seen so far (their number, for error reports).
    public private(set) var frameCount = 0

    public init(preprocessors: PreprocessorChain, codec: any Codec) {
        self.preprocessors = preprocessors
        self.codec = codec
    }

    /// Starts a new stream with the same codec: frames are numbered from 1 again. Only for a
    /// decoder that holds nothing (a finished stream whose preprocessors keep no state).
    public mutating func restart() {
        frameCount = 0
        frames.removeAll(keepingCapacity: true)
    }

    /// Decodes every frame `chunk` completes, appending outcomes in order.
    public mutating func decode(_ chunk: ArraySlice<UInt8>, into outcomes: inout [Outcome]) {
        frames.removeAll(keepingCapacity: true)
        do throws(CodecError) {
            try preprocessors.process(chunk, into: &frames)
        } catch {
            decodeFrames(into: &outcomes)
            frameCount += 1
            outcomes.append(.failure(error, frame: frameCount, record: nil, bytes: []))
            return
        }
        decodeFrames(into: &outcomes)
    }

    /// The stream ended: decodes the last frame, or reports the one it stopped inside.
    public mutating func finish(into outcomes: inout [Outcome]) {
        frames.removeAll(keepingCapacity: true)
        do throws(CodecError) {
            try preprocessors.finish(into: &frames)
        } catch {
            decodeFrames(into: &outcomes)
            frameCount += 1
            outcomes.append(.failure(error, frame: frameCount, record: nil, bytes: []))
            return
        }
        decodeFrames(into: &outcomes)
    }

    private mutating func decodeFrames(into outcomes: inout [Outcome]) {
        let records = preprocessors.lastFrameRecords
        let numbered = records.count == frames.count
        for (index, frame) in frames.enumerated() {
            frameCount += 1
            do throws(CodecError) {
                outcomes.append(.value(try codec.decode(frame), frame: frameCount))
            } catch {
                outcomes.append(.failure(error, frame: frameCount, record: numbered ? records[index] : nil, bytes: frame))
            }
        }
        frames.removeAll(keepingCapacity: true)
    }
}
