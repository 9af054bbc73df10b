import TemblorRuntime
import TemblorValue

/// Events and runs for operator tests.
enum OperatorFixtures {
    /// An event from source 1 with sequence `sequence`, a fixed ingest time and meta naming it.
    static func event(_ payload: Value, _ sequence: UInt64, tracked: [EventId] = []) -> Event {
        Event(
            payload: payload, meta: ["n": Value(sequence)], ingestNs: 1_000 + sequence,
            id: id(sequence), tracked: tracked)
    }

    static func id(_ sequence: UInt64, source: UInt64 = 1) -> EventId {
        EventId(source: source, sequence: sequence)
    }

    /// Runs `events` through `op` and returns everything it produced, in order.
    static func run(_ op: inout some Operator, _ events: [Event]) throws(OperatorError) -> OperatorOutput {
        var output = OperatorOutput()
        for event in events {
            try op.process(event, into: &output)
        }
        return output
    }

    /// The emitted events of `output` as (port name, event) pairs, comparable with `==`.
    static func emitted(_ output: OperatorOutput) -> [Emitted] {
        output.emitted.map { Emitted(port: $0.port.name, event: $0.event) }
    }

    struct Emitted: Equatable {
        var port: String
        var event: Event
    }
}
