extension CodecRegistry {
    /// Every stock codec and processor.
    public static let standard: CodecRegistry = {
        var registry = CodecRegistry()
        registry.register(codec: "json") { config throws(CodecError) in try JSONCodec(config: config) }
        registry.register(codec: "string") { config throws(CodecError) in try StringCodec(config: config) }
        registry.register(codec: "binary") { config throws(CodecError) in try BinaryCodec(config: config) }
        registry.register(codec: "msgpack") { config throws(CodecError) in try MessagePackCodec(config: config) }
        registry.register(codec: "yaml") { config throws(CodecError) in try YAMLCodec(config: config) }
        registry.register(codec: "csv") { config throws(CodecError) in try CSVCodec(config: config) }
        registry.register(codec: "influx") { config throws(CodecError) in try InfluxCodec(config: config) }
        registry.register(preprocessor: "separate") { config throws(CodecError) in try SeparatePreprocessor(config: config) }
        registry.register(preprocessor: "length-prefixed") { config throws(CodecError) in try LengthPrefixedPreprocessor(config: config) }
        registry.register(preprocessor: "base64") { config throws(CodecError) in try Base64Preprocessor(config: config) }
        registry.register(preprocessor: "gzip") { config throws(CodecError) in try GzipPreprocessor(config: config) }
        registry.register(preprocessor: "zlib") { config throws(CodecError) in try ZlibPreprocessor(config: config) }
        registry.register(preprocessor: "decompress") { config throws(CodecError) in try DecompressPreprocessor(config: config) }
        registry.register(postprocessor: "separate") { config throws(CodecError) in try SeparatePostprocessor(config: config) }
        registry.register(postprocessor: "length-prefixed") { config throws(CodecError) in try LengthPrefixedPostprocessor(config: config) }
        registry.register(postprocessor: "base64") { config throws(CodecError) in try Base64Postprocessor(config: config) }
        registry.register(postprocessor: "gzip") { config throws(CodecError) in try GzipPostprocessor(config: config) }
        registry.register(postprocessor: "zlib") { config throws(CodecError) in try ZlibPostprocessor(config: config) }
        registry.register(postprocessor: "compress") { config throws(CodecError) in try GzipPostprocessor(config: config) }
        return registry
    }()
}
