import TemblorValue

/// The codecs and processors Temblor knows, by the names flows and the CLI use.
///
/// Factories are `Sendable` and make a fresh instance per stream, because instances keep
/// per-stream state and are not shared.
public struct CodecRegistry: Sendable {
    public typealias CodecFactory = @Sendable (CodecConfig) throws(CodecError) -> any Codec
    public typealias PreprocessorFactory = @Sendable (CodecConfig) throws(CodecError) -> any Preprocessor
    public typealias PostprocessorFactory = @Sendable (CodecConfig) throws(CodecError) -> any Postprocessor

    private var codecs: [String: CodecFactory] = [:]
    private var preprocessors: [String: PreprocessorFactory] = [:]
    private var postprocessors: [String: PostprocessorFactory] = [:]

    /// An empty registry; `standard` holds the stock codecs and processors.
    public init() {}

    public mutating func register(codec name: String, _ factory: @escaping CodecFactory) {
        codecs[name] = factory
    }

    public mutating func register(preprocessor name: String, _ factory: @escaping PreprocessorFactory) {
        preprocessors[name] = factory
    }

    public mutating func register(postprocessor name: String, _ factory: @escaping PostprocessorFactory) {
        postprocessors[name] = factory
    }

    public var codecNames: [String] { codecs.keys.sorted() }
    public var preprocessorNames: [String] { preprocessors.keys.sorted() }
    public var postprocessorNames: [String] { postprocessors.keys.sorted() }

    /// A new codec instance, or `.unknown` listing the names that exist.
    public func makeCodec(_ name: String, config: Value = .null) throws(CodecError) -> any Codec {
        guard let factory = codecs[name] else { throw .unknown(kind: "codec", name: name, known: codecNames) }
        return try factory(CodecConfig(name: name, value: config))
    }

    public func makePreprocessor(_ name: String, config: Value = .null) throws(CodecError) -> any Preprocessor {
        guard let factory = preprocessors[name] else {
            throw .unknown(kind: "preprocessor", name: name, known: preprocessorNames)
        }
        return try factory(CodecConfig(name: name, value: config))
    }

    public func makePostprocessor(_ name: String, config: Value = .null) throws(CodecError) -> any Postprocessor {
        guard let factory = postprocessors[name] else {
            throw .unknown(kind: "postprocessor", name: name, known: postprocessorNames)
        }
        return try factory(CodecConfig(name: name, value: config))
    }
}
