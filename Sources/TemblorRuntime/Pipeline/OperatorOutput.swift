import TemblorValue

/// What an operator produced for one call: events on ports, and events it dropped on purpose.
public struct OperatorOutput: Sendable {
    /// Events in the order they were emitted, each with the port it leaves on.
    public private(set) var emitted: [(port: Port, event: Event)] = []
    /// Ids of events the operator consumed without forwarding (filtered, deduplicated,
    /// throttled): they count as delivered and are acknowledged to their sources.
    public private(set) var dropped: [EventId] = []

    public init() {}

    /// Sends `event` on `port` (default `out`).
    public mutating func emit(_ event: consuming Event, on port: Port = .out) {
        emitted.append((port, event))
    }

    /// Consumes `event` without forwarding it; it is acknowledged, with every id it stands for.
    public mutating func drop(_ event: Event) {
        dropped.append(event.id)
        dropped.append(contentsOf: event.tracked)
    }

    /// Empties the output for the next call, keeping its storage.
    public mutating func removeAll() {
        emitted.removeAll(keepingCapacity: true)
        dropped.removeAll(keepingCapacity: true)
    }
}
