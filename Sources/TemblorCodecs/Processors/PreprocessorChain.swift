import TemblorValue

/// Runs a stream's preprocessors in order, each stage's frames feeding the next.
public struct PreprocessorChain: Preprocessor {
    private var stages: [any Preprocessor]
    private var scratch: [[ArraySlice<UInt8>]]

    public init(_ stages: [any Preprocessor]) {
        self.stages = stages
        self.scratch = Array(repeating: [], count: stages.count)
    }

    /// Builds the chain from names (with configurations) in a registry.
    public init(names: [(name: String, config: Value)], registry: CodecRegistry = .standard) throws(CodecError) {
        var stages: [any Preprocessor] = []
        for (name, config) in names {
            stages.append(try registry.makePreprocessor(name, config: config))
        }
        self.init(stages)
    }

    public var isEmpty: Bool { stages.isEmpty }

    /// Record numbers of the last call's frames, when a single stage frames the stream and
    /// counts them (a chain of several stages renumbers frames, so it reports none).
    public var lastFrameRecords: [Int] { stages.count == 1 ? stages[0].lastFrameRecords : [] }

    public mutating func process(_ chunk: ArraySlice<UInt8>, into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        guard !stages.isEmpty else {
            frames.append(chunk)
            return
        }
        try run(from: 0, input: [chunk], into: &frames, finishing: false)
    }

    public mutating func finish(into frames: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try run(from: 0, input: [], into: &frames, finishing: true)
    }

    /// Feeds `input` to stage `index` (finishing it too when the stream ended) and everything it
    /// produces down the rest of the chain.
    ///
    /// When a stage throws, it is still fed the rest of its input (processors resynchronise or
    /// stay failed), what it produced still runs down the chain, and the first error is rethrown
    /// afterwards: frames around a bad one are not lost.
    private mutating func run(
        from index: Int, input: [ArraySlice<UInt8>], into frames: inout [ArraySlice<UInt8>], finishing: Bool
    ) throws(CodecError) {
        guard index < stages.count else {
            frames.append(contentsOf: input)
            return
        }
        var output = scratch[index]
        scratch[index] = []
        output.removeAll(keepingCapacity: true)
        defer {
            output.removeAll(keepingCapacity: true)
            scratch[index] = output
        }
        var firstError: CodecError?
        for piece in input {
            do throws(CodecError) {
                try stages[index].process(piece, into: &output)
            } catch {
                firstError = firstError ?? error
            }
        }
        if finishing {
            do throws(CodecError) {
                try stages[index].finish(into: &output)
            } catch {
                firstError = firstError ?? error
            }
        }
        if index + 1 == stages.count {
            frames.append(contentsOf: output)
        } else if !output.isEmpty || finishing {
            do throws(CodecError) {
                try run(from: index + 1, input: output, into: &frames, finishing: finishing)
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }
}
