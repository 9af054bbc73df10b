/// Makes the instances of one connector type from their flow definitions.
public protocol ConnectorFactory: Sendable {
    /// The type's name, sides and defaults, and its configuration check.
    var info: ConnectorTypeInfo { get }
    /// Builds one configured instance; `directory` is the flow file's directory, for relative paths.
    func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts
}

/// The two sides of a connector instance; a side the type does not have is `nil`.
public struct ConnectorParts: Sendable {
    public var source: (any Source)?
    public var sink: (any Sink)?
    /// Hooks around the sides, when the connector has any.
    public var lifecycle: (any ConnectorLifecycle)?
    /// A Lua connector's plugin, which the flow may reload while it runs.
    public var reloadable: (any PluginReloadable)?

    public init(
        source: (any Source)? = nil, sink: (any Sink)? = nil, lifecycle: (any ConnectorLifecycle)? = nil,
        reloadable: (any PluginReloadable)? = nil
    ) {
        self.source = source
        self.sink = sink
        self.lifecycle = lifecycle
        self.reloadable = reloadable
    }
}
