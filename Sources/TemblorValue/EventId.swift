/// Identifies an event so that its `ack` or `fail` finds the source and stream that produced it.
public struct EventId: Sendable, Hashable, CustomStringConvertible {
    /// The connector instance that produced the event.
    public var source: UInt64
    /// The stream (a connection, a file) within that connector.
    public var stream: UInt64
    /// The event's position within its stream, counting from 0.
    public var sequence: UInt64

    public init(source: UInt64, stream: UInt64 = 0, sequence: UInt64) {
        self.source = source
        self.stream = stream
        self.sequence = sequence
    }

    public var description: String { "\(source):\(stream):\(sequence)" }
}
