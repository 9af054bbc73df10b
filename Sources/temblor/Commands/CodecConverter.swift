import TemblorCodecs
import TemblorValue

/// Decodes frames with one codec and encodes them with another, through the processor chains.
struct CodecConverter {
    /// A frame that failed, numbered from 1 in input order.
    struct FrameFailure: Error {
        var frame: Int
        var error: CodecError
    }

    private var pre: PreprocessorChain
    private var decoder: any Codec
    private var encoder: any Codec
    private var post: PostprocessorChain
    private var frames: [ArraySlice<UInt8>] = []
    private var encoded: [UInt8] = []
    private var outgoing: [ArraySlice<UInt8>] = []
    private var frameNumber = 0
    /// With no preprocessor the whole input is one frame, collected here until the end.
    private var whole: [UInt8] = []

    init(registry: CodecRegistry, from: String, to: String, preprocessors: [ProcessorSpec], postprocessors: [ProcessorSpec]) throws(CodecError) {
        decoder = try registry.makeCodec(from)
        encoder = try registry.makeCodec(to)
        pre = try PreprocessorChain(names: preprocessors.map { ($0.name, $0.config) }, registry: registry)
        post = try PostprocessorChain(names: postprocessors.map { ($0.name, $0.config) }, registry: registry)
    }

    mutating func feed(_ chunk: ArraySlice<UInt8>, output: inout FileDescriptorWriter, onFailure: (FrameFailure) throws -> Void) throws {
        if pre.isEmpty {
            whole.append(contentsOf: chunk)
            return
        }
        frames.removeAll(keepingCapacity: true)
        do throws(CodecError) {
            try pre.process(chunk, into: &frames)
        } catch {
            try onFailure(FrameFailure(frame: frameNumber + frames.count + 1, error: error))
        }
        try convertFrames(output: &output, onFailure: onFailure)
    }

    mutating func finish(output: inout FileDescriptorWriter, onFailure: (FrameFailure) throws -> Void) throws {
        frames.removeAll(keepingCapacity: true)
        if pre.isEmpty {
            if !whole.isEmpty { frames.append(whole[...]) }
        } else {
            do throws(CodecError) {
                try pre.finish(into: &frames)
            } catch {
                try onFailure(FrameFailure(frame: frameNumber + frames.count + 1, error: error))
            }
        }
        try convertFrames(output: &output, onFailure: onFailure)
        outgoing.removeAll(keepingCapacity: true)
        do throws(CodecError) {
            try post.finish(into: &outgoing)
        } catch {
            try onFailure(FrameFailure(frame: frameNumber, error: error))
        }
        for piece in outgoing { try output.write(piece) }
    }

    private mutating func convertFrames(output: inout FileDescriptorWriter, onFailure: (FrameFailure) throws -> Void) throws {
        for frame in frames {
            frameNumber += 1
            outgoing.removeAll(keepingCapacity: true)
            do throws(CodecError) {
                let value = try decoder.decode(frame)
                encoded.removeAll(keepingCapacity: true)
                try encoder.encode(value, into: &encoded)
                try post.process(encoded[...], into: &outgoing)
            } catch {
                try onFailure(FrameFailure(frame: frameNumber, error: error))
                continue
            }
            for piece in outgoing { try output.write(piece) }
        }
    }
}
