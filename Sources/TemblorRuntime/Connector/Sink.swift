/// The sink side of a connector: takes batches of events and delivers them to the outside world.
public protocol Sink: Sendable {
    /// Consumes `input` until it ends, acking each event once it is delivered and failing those
    /// it could not deliver.
    func run(_ input: SinkInput, _ context: SinkContext) async throws
}
