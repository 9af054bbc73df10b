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
        return registry
    }()
}
