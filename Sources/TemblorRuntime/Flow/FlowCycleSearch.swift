/// Depth-first search for a cycle in the pipeline graph, visiting nodes and edges in file order.
struct FlowCycleSearch {
    let edges: [String: [(to: String, location: SourceLocation)]]
    /// Nodes fully explored: no cycle passes through them.
    var finished = Set<String>()
    /// The current path: each node with the link that leaves it along the path.
    var path: [(node: String, location: SourceLocation)] = []
    var onPath = Set<String>()

    init(edges: [String: [(to: String, location: SourceLocation)]]) {
        self.edges = edges
    }

    /// The nodes of a cycle reachable from `node`, each with the link leaving it, starting where
    /// the cycle closes.
    mutating func cycle(from node: String) -> [(node: String, location: SourceLocation)]? {
        if finished.contains(node) { return nil }
        onPath.insert(node)
        for edge in edges[node] ?? [] {
            path.append((node, edge.location))
            if onPath.contains(edge.to) {
                let start = path.firstIndex { $0.node == edge.to } ?? 0
                return Array(path[start...])
            }
            if let cycle = cycle(from: edge.to) { return cycle }
            path.removeLast()
        }
        onPath.remove(node)
        finished.insert(node)
        return nil
    }
}
