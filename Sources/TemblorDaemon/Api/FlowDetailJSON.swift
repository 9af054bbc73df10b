import TemblorRuntime

/// A flow as `GET /v1/flows/{id}` writes it: its summary's fields, then node by node.
struct FlowDetailJSON: Encodable, Sendable {
    struct PortJSON: Encodable, Sendable {
        var node: String
        var port: String
        var direction: String
        var events: Int
    }

    struct SourceJSON: Encodable, Sendable {
        var source: String
        var acked: Int
        var failed: Int
    }

    struct PluginJSON: Encodable, Sendable {
        var node: String
        var plugin: String
        var hash: String
        var loadedAt: Double
        var reloads: Int
        var restarts: Int
        var faults: Int
        var memoryBytes: Int
        var stopped: Bool

        enum CodingKeys: String, CodingKey {
            case node, plugin, hash, reloads, restarts, faults, stopped
            case loadedAt = "loaded_at"
            case memoryBytes = "memory_bytes"
        }
    }

    var flow: FlowJSON
    var ports: [PortJSON]
    var sources: [SourceJSON]
    var queues: [String: Int]
    var plugins: [PluginJSON]

    init(_ detail: FlowDetail) {
        flow = FlowJSON(detail.summary)
        ports = detail.ports.map { PortJSON(node: $0.node, port: $0.port, direction: $0.direction, events: $0.events) }
        sources = detail.sources.map { SourceJSON(source: $0.source, acked: $0.acked, failed: $0.failed) }
        queues = detail.queues
        plugins = detail.plugins.map {
            PluginJSON(
                node: $0.node, plugin: $0.plugin, hash: $0.hash, loadedAt: $0.loadedAt, reloads: $0.reloads, restarts: $0.restarts,
                faults: $0.faults, memoryBytes: $0.memoryBytes, stopped: $0.stopped)
        }
    }

    enum CodingKeys: String, CodingKey { case ports, sources, queues, plugins }

    /// The summary's fields at the top level, as in `GET /v1/flows`, beside the details.
    func encode(to encoder: any Encoder) throws {
        try flow.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ports, forKey: .ports)
        try container.encode(sources, forKey: .sources)
        try container.encode(queues, forKey: .queues)
        try container.encode(plugins, forKey: .plugins)
    }
}
