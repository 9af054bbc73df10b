/// The lifecycle hooks of a connector instance, called by the runner in Tremor's order:
/// `connect` (retried with the connector's reconnect strategy until it succeeds or the retries
/// are used up), `onStart`, then `onPause`/`onResume` while a sink downstream cannot accept
/// events, `onDrain` once its source side has ended, and `onStop` when the whole flow drained.
///
/// Native connectors that need none of this simply do not provide one; Lua connectors map
/// their plugin's hooks onto it.
public protocol ConnectorLifecycle: Sendable {
    /// Which sides the flow runs (a side nothing links to is not started); told before `connect`.
    /// Connectors whose sides talk to each other (a Lua connector forwarding from `on_event`) need it.
    func sidesInUse(source: Bool, sink: Bool) async
    /// Establishes what the connector needs; `false` or an error is retried with backoff.
    func connect() async throws -> Bool
    func onStart() async
    /// A sink this connector feeds cannot accept events: the source side is being held.
    func onPause() async
    /// The sinks accept events again.
    func onResume() async
    /// The source side produced its last event; what it holds should be flushed.
    func onDrain() async
    /// The flow has drained and is stopping: release everything.
    func onStop() async
}

extension ConnectorLifecycle {
    public func sidesInUse(source: Bool, sink: Bool) async {}
    public func connect() async throws -> Bool { true }
    public func onStart() async {}
    public func onPause() async {}
    public func onResume() async {}
    public func onDrain() async {}
    public func onStop() async {}
}
