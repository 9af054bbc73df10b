/// Checks a parsed flow against what Temblor knows: connector types, codecs, processors and
/// operators exist and accept their configuration, and links join existing ports into a graph
/// where every node is connected and events cannot circle between pipelines.
public struct FlowValidator: Sendable {
    /// What the flow may name.
    public var catalog: FlowCatalog

    /// A validator for flows that may name anything in `catalog`.
    public init(catalog: FlowCatalog) {
        self.catalog = catalog
    }

    /// Every problem found, ordered by where it stands in the file; empty when the flow is valid.
    public func validate(_ flow: FlowDefinition) -> [FlowError] {
        var errors: [FlowError] = []
        var nodes: [String: FlowNodePorts] = [:]
        let names = Set(flow.connectors.map(\.name) + flow.pipelines.map(\.name))
        for connector in flow.connectors {
            let type = validate(connector, into: &errors)
            nodes[connector.name] = nodes[connector.name] ?? .connector(connector.name, type: type)
            if !connector.buffer.isNull, names.contains(DiskBuffer.walName(for: connector.name)) {
                errors.append(FlowError(
                    "connector '\(connector.name)': its disk buffer runs as '\(DiskBuffer.walName(for: connector.name))', a name this flow already uses; rename that node",
                    at: connector.keyLocations["buffer"] ?? connector.location))
            }
        }
        for pipeline in flow.pipelines {
            let operators = validate(pipeline, into: &errors)
            nodes[pipeline.name] = nodes[pipeline.name]
                ?? .pipeline(pipeline.name, extraPorts: operators.extraPorts, allOperatorsBuilt: operators.allBuilt)
        }
        validateLinks(flow, nodes: nodes, into: &errors)
        validateConnectedness(flow, into: &errors)
        if let cycle = pipelineCycle(flow) {
            errors.append(cycle)
        }
        return Self.sortedByLocation(errors)
    }

    /// Errors in file order (stable, so errors at one place keep the order they were found in);
    /// errors without a place come first.
    static func sortedByLocation(_ errors: [FlowError]) -> [FlowError] {
        errors.enumerated().sorted { a, b in
            let left = (a.element.location?.line ?? 0, a.element.location?.column ?? 0, a.offset)
            let right = (b.element.location?.line ?? 0, b.element.location?.column ?? 0, b.offset)
            return left < right
        }.map(\.element)
    }
}
