extension FlowValidator {
    /// One cycle among pipelines, with its path, or `nil` when there is none.
    ///
    /// Only pipelines count: a connector's sink and source are separate sides (a `tcp_server`
    /// answers on the connection it read from), so `server -> echo -> server` is a valid flow,
    /// while `a -> b -> a` between pipelines would pass events around forever.
    func pipelineCycle(_ flow: FlowDefinition) -> FlowError? {
        let pipelines = Set(flow.pipelines.map(\.name))
        var edges: [String: [(to: String, location: SourceLocation)]] = [:]
        for link in flow.links where pipelines.contains(link.from.node) && pipelines.contains(link.to.node) {
            edges[link.from.node, default: []].append((link.to.node, link.location))
        }
        var search = FlowCycleSearch(edges: edges)
        for pipeline in flow.pipelines {
            if let cycle = search.cycle(from: pipeline.name) {
                let path = (cycle.map(\.node) + [cycle[0].node]).joined(separator: " -> ")
                return FlowError("links form a cycle: \(path); remove one of these links", at: cycle[0].location)
            }
        }
        return nil
    }
}
