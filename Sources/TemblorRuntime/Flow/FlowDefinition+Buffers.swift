import TemblorValue

extension FlowDefinition {
    /// The flow with every `buffer: {type: disk}` spelled out: a `wal` connector named
    /// `<sink>.buffer` that takes every link into the sink's `in` and feeds the sink.
    public func expandingBuffers() -> FlowDefinition {
        var flow = self
        for connector in connectors where !connector.buffer.isNull {
            guard let buffer = try? DiskBuffer(connector.buffer) else { continue }
            let wal = DiskBuffer.walName(for: connector.name)
            flow.connectors.append(ConnectorDefinition(
                name: wal, type: DiskBuffer.connectorType, config: buffer.walConfig, reconnect: connector.reconnect,
                location: connector.keyLocations["buffer"] ?? connector.location))
            for index in flow.links.indices where flow.links[index].to == LinkEndpoint(node: connector.name, port: .in) {
                flow.links[index].to = LinkEndpoint(node: wal, port: .in)
            }
            flow.links.append(LinkDefinition(
                from: LinkEndpoint(node: wal, port: .out), to: LinkEndpoint(node: connector.name, port: .in),
                location: connector.keyLocations["buffer"] ?? connector.location))
        }
        return flow
    }
}
