import TemblorValue

/// What flow validation needs to know about a connector type, without starting one.
public struct ConnectorTypeInfo: Sendable {
    /// The `type:` name in flow files.
    public var name: String
    /// Whether instances have a source side (an `out` port) and a sink side (an `in` port).
    public var hasSource: Bool
    public var hasSink: Bool
    /// The codec and processors used when the flow names none.
    public var defaultCodec: String
    public var defaultPreprocessors: [String]
    public var defaultPostprocessors: [String]
    /// Checks a configuration; throws a message naming the key to fix.
    public var validate: @Sendable (Value) throws(ConnectorConfigError) -> Void

    public init(
        name: String, hasSource: Bool, hasSink: Bool, defaultCodec: String = "json",
        defaultPreprocessors: [String] = [], defaultPostprocessors: [String] = [],
        validate: @escaping @Sendable (Value) throws(ConnectorConfigError) -> Void
    ) {
        self.name = name
        self.hasSource = hasSource
        self.hasSink = hasSink
        self.defaultCodec = defaultCodec
        self.defaultPreprocessors = defaultPreprocessors
        self.defaultPostprocessors = defaultPostprocessors
        self.validate = validate
    }
}

/// A connector configuration that cannot work, naming the key and what to change.
public struct ConnectorConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending key (`""` for the configuration as a whole).
    public var key: String
    public var message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? message : "config '\(key)': \(message)" }
}
