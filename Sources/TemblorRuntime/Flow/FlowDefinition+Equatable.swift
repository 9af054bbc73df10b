import TemblorValue

// Equality of definitions, locations included: tests compare parsed flows whole, and a reload
// can tell whether a flow file changed at all.

extension FlowDefinition: Equatable {
    /// Equal when every field, locations included, is equal.
    public static func == (lhs: FlowDefinition, rhs: FlowDefinition) -> Bool {
        lhs.file == rhs.file && lhs.connectors == rhs.connectors && lhs.pipelines == rhs.pipelines
            && lhs.links == rhs.links
    }
}

extension ConnectorDefinition: Equatable {
    /// Equal when every field, locations included, is equal.
    public static func == (lhs: ConnectorDefinition, rhs: ConnectorDefinition) -> Bool {
        lhs.name == rhs.name && lhs.type == rhs.type && lhs.config == rhs.config && lhs.codec == rhs.codec
            && lhs.preprocessors == rhs.preprocessors && lhs.postprocessors == rhs.postprocessors
            && lhs.plugin == rhs.plugin && lhs.allow == rhs.allow && lhs.limits == rhs.limits
            && lhs.reconnect == rhs.reconnect && lhs.location == rhs.location && lhs.keyLocations == rhs.keyLocations
    }
}

extension OperatorDefinition: Equatable {
    /// Equal when every field, locations included, is equal.
    public static func == (lhs: OperatorDefinition, rhs: OperatorDefinition) -> Bool {
        lhs.name == rhs.name && lhs.config == rhs.config && lhs.location == rhs.location
    }
}

extension PipelineDefinition: Equatable {
    /// Equal when every field, locations included, is equal.
    public static func == (lhs: PipelineDefinition, rhs: PipelineDefinition) -> Bool {
        lhs.name == rhs.name && lhs.operators == rhs.operators && lhs.location == rhs.location
    }
}

extension LinkDefinition: Equatable {
    /// Equal when every field, locations included, is equal.
    public static func == (lhs: LinkDefinition, rhs: LinkDefinition) -> Bool {
        lhs.from == rhs.from && lhs.to == rhs.to && lhs.location == rhs.location
    }
}
