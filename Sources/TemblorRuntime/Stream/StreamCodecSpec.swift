import TemblorCodecs
import TemblorValue

/// A connector's codec and processors, resolved from the flow (or the type's defaults): the
/// recipe for a fresh decoder or encoder per stream.
public struct StreamCodecSpec: Sendable {
    public var codec: ProcessorSpec
    public var preprocessors: [ProcessorSpec]
    public var postprocessors: [ProcessorSpec]
    public var registry: CodecRegistry

    /// A codec or processor name with its configuration.
    public struct ProcessorSpec: Sendable, Equatable {
        public var name: String
        public var config: Value

        public init(_ name: String, config: Value = .null) {
            self.name = name
            self.config = config
        }
    }

    public init(codec: ProcessorSpec, preprocessors: [ProcessorSpec] = [], postprocessors: [ProcessorSpec] = [], registry: CodecRegistry = .standard) {
        self.codec = codec
        self.preprocessors = preprocessors
        self.postprocessors = postprocessors
        self.registry = registry
    }

    /// The spec of a connector: what the flow names, else the type's defaults.
    public init(_ connector: ConnectorDefinition, defaults info: ConnectorTypeInfo, registry: CodecRegistry = .standard) {
        codec = connector.codec.map { ProcessorSpec($0.name, config: $0.config) } ?? ProcessorSpec(info.defaultCodec)
        preprocessors = connector.preprocessors.map { $0.map { ProcessorSpec($0.name, config: $0.config) } }
            ?? info.defaultPreprocessors.map { ProcessorSpec($0) }
        postprocessors = connector.postprocessors.map { $0.map { ProcessorSpec($0.name, config: $0.config) } }
            ?? info.defaultPostprocessors.map { ProcessorSpec($0) }
        self.registry = registry
    }

    /// The same preprocessors with the `binary` codec: each frame travels as the bytes it was
    /// read as, for a sink that decodes it itself (with simdjson's padding after it, so that
    /// the sink's parser reads it in place).
    var framesOnly: StreamCodecSpec {
        var spec = self
        spec.codec = ProcessorSpec("binary", config: ["padding": 64])
        return spec
    }

    public func makeDecoder() throws(CodecError) -> StreamDecoder {
        StreamDecoder(
            preprocessors: try PreprocessorChain(names: preprocessors.map { ($0.name, $0.config) }, registry: registry),
            codec: try registry.makeCodec(codec.name, config: codec.config))
    }

    public func makeEncoder() throws(CodecError) -> StreamEncoder {
        StreamEncoder(
            codec: try registry.makeCodec(codec.name, config: codec.config),
            postprocessors: try PostprocessorChain(names: postprocessors.map { ($0.name, $0.config) }, registry: registry))
    }
}
