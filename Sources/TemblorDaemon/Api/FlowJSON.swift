/// A flow as the API writes it: `GET /v1/flows` lists these.
struct FlowJSON: Codable, Sendable {
    var id: String
    var status: String
    var startedAt: Double
    var nodes: [String]
    var eventsIn: Int
    var eventsOut: Int
    var failed: Int
    var error: String?

    init(_ summary: FlowSummary) {
        id = summary.id
        status = summary.status.rawValue
        startedAt = summary.startedAt
        nodes = summary.nodes
        eventsIn = summary.counts.produced
        eventsOut = summary.counts.acked
        failed = summary.counts.failed
        error = summary.error
    }

    enum CodingKeys: String, CodingKey {
        case id, status, nodes, failed, error
        case startedAt = "started_at"
        case eventsIn = "events_in"
        case eventsOut = "events_out"
    }
}
