import TemblorValue

/// What `on_event` returned: pipeline operators return the event to forward (or `nil` to drop
/// it) and optionally the port to send it on.
public struct LuaEventResult: Sendable {
    /// The first result; `nil` when the script returned nothing or `nil`.
    public var value: Value?
    /// The second result when it is a string: the output port.
    public var port: String?
    /// The event's metadata as the script left it, when the call keeps it (`nil` otherwise).
    public var meta: Value?
}
