import TemblorLua

extension FlowRunner {
    /// The sources whose frames can travel as JSON text (DESIGN §4's fast path): their codec is
    /// `json`, their `err` port is unlinked, and everything their `out` reaches, through any
    /// pipelines, is a Lua connector. Such a source sends each frame as it was read; a pipeline
    /// decodes it only when one of its operators needs a value, and a Lua connector builds the
    /// tables `on_event` gets straight from the text. A frame that is not JSON fails exactly as
    /// it would have in the source: logged, counted as failed, reported to the source. Lua
    /// connectors granted host I/O take values and are left out.
    static func rawJSONRoutes(_ flow: FlowDefinition, codecOf: (ConnectorDefinition) -> String) -> Set<String> {
        // Plugins granted host I/O take events one at a time in coroutines, not in this path.
        let lua = Set(flow.connectors.filter { $0.type == "lua" && !LuaCapabilities.grantsAnything($0.allow) }.map(\.name))
        let pipelines = Set(flow.pipelines.map(\.name))
        /// Whether every node reached from `node`'s links ends at a Lua connector.
        func reachesOnlyLua(from node: String, ports: (Port) -> Bool, seen: inout Set<String>) -> Bool {
            let outs = flow.links.filter { $0.from.node == node && ports($0.from.port) }
            guard !outs.isEmpty else { return false }
            for link in outs {
                let target = link.to.node
                if lua.contains(target), link.to.port == .in { continue }
                guard pipelines.contains(target) else { return false }
                guard seen.insert(target).inserted else { continue }
                guard reachesOnlyLua(from: target, ports: { _ in true }, seen: &seen) else { return false }
            }
            return true
        }
        return Set(flow.connectors.compactMap { connector -> String? in
            // A wal sends the values it stored, never frames to decode.
            guard codecOf(connector) == "json", connector.type != DiskBuffer.connectorType,
                  !flow.links.contains(where: { $0.from.node == connector.name && $0.from.port == .err })
            else { return nil }
            var seen: Set<String> = []
            return reachesOnlyLua(from: connector.name, ports: { $0 == .out }, seen: &seen) ? connector.name : nil
        })
    }
}
