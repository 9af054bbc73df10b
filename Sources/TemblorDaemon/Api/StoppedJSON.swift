/// What `DELETE /v1/flows/{id}` answers: the flow's final counts.
struct StoppedJSON: Encodable, Sendable {
    var id: String
    var eventsIn: Int
    var eventsOut: Int
    var failed: Int

    enum CodingKeys: String, CodingKey {
        case id, failed
        case eventsIn = "events_in"
        case eventsOut = "events_out"
    }
}
