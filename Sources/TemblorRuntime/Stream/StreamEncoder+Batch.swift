import TemblorCodecs
import TemblorValue

extension StreamEncoder {
    /// Appends the encodings of `events` to `bytes` and returns the events that encoded; each
    /// one that cannot be encoded is failed through `context` with the codec's reason, so a
    /// sink writes the rest in one go and acks exactly what it wrote.
    public mutating func encode(_ events: [Event], into bytes: inout [UInt8], failing context: SinkContext) -> [Event] {
        var encoded: [Event] = []
        encoded.reserveCapacity(events.count)
        for event in events {
            do throws(CodecError) {
                try encode(event.payload, into: &bytes)
                encoded.append(event)
            } catch {
                context.fail([event], reason: "cannot encode event \(event.id): \(error)")
            }
        }
        return encoded
    }
}
