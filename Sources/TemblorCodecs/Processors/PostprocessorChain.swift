import TemblorValue

/// Runs a stream's postprocessors in order, each stage's output feeding the next.
public struct PostprocessorChain: Postprocessor {
    private var stages: [any Postprocessor]

    public init(_ stages: [any Postprocessor]) {
        self.stages = stages
    }

    /// Builds the chain from names (with configurations) in a registry.
    public init(names: [(name: String, config: Value)], registry: CodecRegistry = .standard) throws(CodecError) {
        var stages: [any Postprocessor] = []
        for (name, config) in names {
            stages.append(try registry.makePostprocessor(name, config: config))
        }
        self.init(stages)
    }

    public var isEmpty: Bool { stages.isEmpty }

    public mutating func process(_ frame: ArraySlice<UInt8>, into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try run(from: 0, input: [frame], into: &output, finishing: false)
    }

    public mutating func finish(into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        try run(from: 0, input: [], into: &output, finishing: true)
    }

    private mutating func run(
        from index: Int, input: [ArraySlice<UInt8>], into output: inout [ArraySlice<UInt8>], finishing: Bool
    ) throws(CodecError) {
        guard index < stages.count else {
            output.append(contentsOf: input)
            return
        }
        var produced: [ArraySlice<UInt8>] = []
        for piece in input {
            try stages[index].process(piece, into: &produced)
        }
        if finishing {
            try stages[index].finish(into: &produced)
        }
        try run(from: index + 1, input: produced, into: &output, finishing: finishing)
    }
}
