import TemblorValue

/// Runs a stream's postprocessors in order, each stage's output feeding the next.
public struct PostprocessorChain: Postprocessor {
    private var stages: [any Postprocessor]
    /// Two buffers that stages write into in turn, reused across calls: a chain runs once per
    /// event, so it must not allocate per call.
    private var current: [ArraySlice<UInt8>] = []
    private var next: [ArraySlice<UInt8>] = []

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
        switch stages.count {
        case 0:
            output.append(frame)
        case 1:
            try stages[0].process(frame, into: &output)
        default:
            current.removeAll(keepingCapacity: true)
            current.append(frame)
            try run(from: 0, into: &output, finishing: false)
        }
    }

    public mutating func finish(into output: inout [ArraySlice<UInt8>]) throws(CodecError) {
        current.removeAll(keepingCapacity: true)
        try run(from: 0, into: &output, finishing: true)
    }

    /// Feeds `current` through the stages from `first` on; when finishing, each stage is
    /// finished after its input, so a compressor's trailer still passes the stages after it.
    private mutating func run(from first: Int, into output: inout [ArraySlice<UInt8>], finishing: Bool) throws(CodecError) {
        for index in first..<stages.count {
            next.removeAll(keepingCapacity: true)
            for piece in current {
                try stages[index].process(piece, into: &next)
            }
            if finishing {
                try stages[index].finish(into: &next)
            }
            swap(&current, &next)
        }
        output.append(contentsOf: current)
        current.removeAll(keepingCapacity: true)
    }
}
