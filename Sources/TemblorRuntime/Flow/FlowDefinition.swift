import TemblorValue

/// A flow file as written: connectors, pipelines and the links between their ports, each with
/// the place in the file it came from. `FlowParser` builds it, `FlowValidator` checks it.
public struct FlowDefinition: Sendable {
    /// The file the flow was read from, as the user named it.
    public var file: String
    /// Connectors in file order.
    public var connectors: [ConnectorDefinition]
    /// Pipelines in file order.
    public var pipelines: [PipelineDefinition]
    /// Links in file order.
    public var links: [LinkDefinition]

    public init(file: String, connectors: [ConnectorDefinition] = [], pipelines: [PipelineDefinition] = [], links: [LinkDefinition] = []) {
        self.file = file
        self.connectors = connectors
        self.pipelines = pipelines
        self.links = links
    }
}

/// A codec or processor named in a flow: `json`, or `{ name: separate, config: { separator: "|" } }`.
public struct ProcessorReference: Sendable, Equatable {
    public var name: String
    public var config: Value
    public var location: SourceLocation

    public init(name: String, config: Value = .null, location: SourceLocation) {
        self.name = name
        self.config = config
        self.location = location
    }
}

/// One connector instance of a flow.
public struct ConnectorDefinition: Sendable {
    /// The instance name links use.
    public var name: String
    /// A native connector type (`file`, `tcp_server`...) or `lua`.
    public var type: String
    /// The type's configuration (`null` when the file gave none).
    public var config: Value
    /// The codec, or `nil` for the type's default.
    public var codec: ProcessorReference?
    /// Preprocessors in order, or `nil` for the type's default.
    public var preprocessors: [ProcessorReference]?
    /// Postprocessors in order, or `nil` for the type's default.
    public var postprocessors: [ProcessorReference]?
    /// For `lua` connectors: the plugin file or directory, relative to the flow file.
    public var plugin: String?
    /// Capabilities granted to a Lua connector (`net`, `read`, `write`).
    public var allow: Value
    /// Resource limits of a Lua connector (`memory_mb`, `instructions`).
    public var limits: Value
    /// The reconnect strategy (`initial_ms`, `max_ms`, `multiplier`, `jitter`, `max_retries`), or `nil` for the default.
    public var reconnect: Value
    /// `buffer: {type: disk, path, max_bytes}`: a wal in front of this sink, or `null`.
    public var buffer: Value = .null
    /// Where the connector's name stands in the file.
    public var location: SourceLocation
    /// Where each key of the connector's mapping stands, for errors about one key.
    public var keyLocations: [String: SourceLocation]

    public init(
        name: String, type: String, config: Value = .null, codec: ProcessorReference? = nil,
        preprocessors: [ProcessorReference]? = nil, postprocessors: [ProcessorReference]? = nil,
        plugin: String? = nil, allow: Value = .null, limits: Value = .null, reconnect: Value = .null,
        location: SourceLocation, keyLocations: [String: SourceLocation] = [:]
    ) {
        self.name = name
        self.type = type
        self.config = config
        self.codec = codec
        self.preprocessors = preprocessors
        self.postprocessors = postprocessors
        self.plugin = plugin
        self.allow = allow
        self.limits = limits
        self.reconnect = reconnect
        self.location = location
        self.keyLocations = keyLocations
    }
}

/// One operator of a pipeline: `- passthrough` or `- batch: { count: 10 }`.
public struct OperatorDefinition: Sendable {
    public var name: String
    public var config: Value
    public var location: SourceLocation

    public init(name: String, config: Value = .null, location: SourceLocation) {
        self.name = name
        self.config = config
        self.location = location
    }
}

/// A pipeline: operators that run in order.
public struct PipelineDefinition: Sendable {
    public var name: String
    public var operators: [OperatorDefinition]
    public var location: SourceLocation

    public init(name: String, operators: [OperatorDefinition], location: SourceLocation) {
        self.name = name
        self.operators = operators
        self.location = location
    }
}

/// One end of a link: a connector or pipeline and one of its ports.
public struct LinkEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var node: String
    public var port: Port

    public init(node: String, port: Port) {
        self.node = node
        self.port = port
    }

    public var description: String { "\(node)/\(port)" }
}

/// `from[/port] -> to[/port]`; ports default to `out` and `in`.
public struct LinkDefinition: Sendable {
    public var from: LinkEndpoint
    public var to: LinkEndpoint
    public var location: SourceLocation

    public init(from: LinkEndpoint, to: LinkEndpoint, location: SourceLocation) {
        self.from = from
        self.to = to
        self.location = location
    }
}
