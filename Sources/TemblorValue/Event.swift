#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What flows through Temblor: a payload with its metadata (Tremor's `$`), when it entered,
/// and an id that carries acks and fails back to its source.
public struct Event: Sendable, Equatable {
    public var payload: Value
    /// Connector- and pipeline-supplied facts about the event, kept apart from the payload.
    public var meta: Value
    /// Wall-clock nanoseconds since the Unix epoch at which the event entered Temblor.
    public var ingestNs: UInt64
    public var id: EventId
    /// Ids of the other events this one stands for (a batch made of several events): acking or
    /// failing this event acks or fails them all.
    public var tracked: [EventId]
    /// True while `payload` is still the JSON text a source read (`bytes`, with simdjson's
    /// padding after it): it is decoded only where a node needs a value, and Lua builds its
    /// tables straight from the text.
    public var payloadIsJSONText: Bool

    public init(
        payload: Value, meta: Value = .object(Object()), ingestNs: UInt64 = Event.nowNs(), id: EventId,
        tracked: [EventId] = [], payloadIsJSONText: Bool = false
    ) {
        self.payloadIsJSONText = payloadIsJSONText
        self.payload = payload
        self.meta = meta
        self.ingestNs = ingestNs
        self.id = id
        self.tracked = tracked
    }

    /// Every id this event answers for: its own and the tracked ones.
    public var allIds: [EventId] { [id] + tracked }

    /// The current wall-clock time in nanoseconds since the Unix epoch.
    public static func nowNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

extension Event {
    /// The current wall-clock time in seconds since the Unix epoch, as the API shows times.
    public static func nowSeconds() -> Double {
        Double(nowNs()) / 1e9
    }
}
