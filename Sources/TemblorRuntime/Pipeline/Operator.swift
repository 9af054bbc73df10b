import TemblorValue

/// One step of a pipeline (`passthrough`, `batch`, `throttle`, a Lua script...).
///
/// An operator instance belongs to one pipeline and is driven by one task: it may keep state
/// (a batch being filled, a rate window). Every event it takes must leave it somehow: emitted on
/// a port, or dropped through `OperatorOutput.drop` (which acknowledges it to its source), so that
/// finite runs can tell when everything was delivered.
public protocol Operator {
    /// Handles one event, emitting what follows from it into `output`.
    mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError)
    /// Called about every `tickInterval` while the pipeline runs, with monotonic nanoseconds;
    /// operators with timeouts (a batch's `timeout_ms`) flush here.
    mutating func tick(now: UInt64, into output: inout OperatorOutput)
    /// The pipeline's input ended: emit anything still held.
    mutating func finish(into output: inout OperatorOutput)
    /// Output ports besides `out` and `err` that this operator may emit on (for link validation).
    var extraPorts: [Port] { get }
    /// True when the operator emits every event on `out` unchanged and holds nothing back:
    /// a pipeline made only of such operators forwards whole batches without touching events.
    var forwardsUnchanged: Bool { get }
    /// A Lua operator's script, which the flow may reload while it runs.
    var reloadable: (any PluginReloadable)? { get }
}

extension Operator {
    public mutating func tick(now: UInt64, into output: inout OperatorOutput) {}
    public mutating func finish(into output: inout OperatorOutput) {}
    public var extraPorts: [Port] { [] }
    public var forwardsUnchanged: Bool { false }
    public var reloadable: (any PluginReloadable)? { nil }
}
