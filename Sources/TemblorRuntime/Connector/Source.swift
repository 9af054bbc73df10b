/// The source side of a connector: reads the outside world and emits events through streams.
public protocol Source: Sendable {
    /// Produces events until the source ends (a file read to its end, a bench run done) or the
    /// task is cancelled (shutdown). Returning normally ends the source cleanly.
    func run(_ context: SourceContext) async throws
}
