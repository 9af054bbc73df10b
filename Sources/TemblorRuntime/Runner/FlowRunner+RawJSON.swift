import TemblorLua

extension FlowRunner {
    /// The routes where JSON can go straight from bytes into Lua tables (DESIGN §4's fast path):
    /// sources whose codec is `json`, whose `err` port is unlinked and whose `out` goes only to
    /// Lua connectors, each of those fed only by such sources. The sources then send each frame
    /// as it was read, and the Lua sinks decode it while building the tables `on_event` gets. A
    /// frame that is not JSON fails exactly as it would have in the source: logged, counted as
    /// failed, reported to the source. Lua connectors granted host I/O are left out.
    static func rawJSONRoutes(
        _ flow: FlowDefinition, codecOf: (ConnectorDefinition) -> String
    ) -> (sources: Set<String>, sinks: Set<String>) {
        // Plugins granted host I/O take events one at a time in coroutines, not in this path.
        let lua = Set(flow.connectors.filter { $0.type == "lua" && !LuaCapabilities.grantsAnything($0.allow) }.map(\.name))
        var sources = Set(flow.connectors.compactMap { connector -> String? in
            let outs = flow.links.filter { $0.from.node == connector.name }
            // A wal sends the values it stored, never frames to decode.
            guard codecOf(connector) == "json", connector.type != DiskBuffer.connectorType, !outs.isEmpty,
                  outs.allSatisfy({ $0.from.port == .out && lua.contains($0.to.node) && $0.to.port == .in })
            else { return nil }
            return connector.name
        })
        var sinks: Set<String> = []
        // Narrow both sides until every fused sink hears only fused sources and every fused
        // source feeds only fused sinks.
        while true {
            sinks = Set(lua.filter { name in
                let ins = flow.links.filter { $0.to.node == name }
                return !ins.isEmpty && ins.allSatisfy { sources.contains($0.from.node) }
            })
            let narrowed = sources.filter { name in
                flow.links.filter { $0.from.node == name }.allSatisfy { sinks.contains($0.to.node) }
            }
            if narrowed == sources { break }
            sources = narrowed
        }
        return (sources, sinks)
    }
}
