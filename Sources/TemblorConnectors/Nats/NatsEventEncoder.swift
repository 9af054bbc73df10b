import NIOCore
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Turns an event into one NATS message payload: its payload encoded by the connector's codec
/// and postprocessors. Postprocessors that keep state (a compressor) start afresh for every
/// message, so that each message stands on its own.
struct NatsEventEncoder {
    private let spec: StreamCodecSpec
    /// Reused from message to message when there are no postprocessors.
    private var shared: StreamEncoder?
    private var bytes: [UInt8] = []

    init(_ context: SinkContext) throws(CodecError) {
        spec = context.codecSpec
        shared = spec.postprocessors.isEmpty ? try context.makeEncoder() : nil
    }

    /// The payload of `event`'s message.
    mutating func payload(for event: Event) throws(NatsSinkError) -> ByteBuffer {
        bytes.removeAll(keepingCapacity: true)
        do throws(CodecError) {
            if shared != nil {
                try shared!.encode(event.payload, into: &bytes)
            } else {
                var encoder = try spec.makeEncoder()
                try encoder.encode(event.payload, into: &bytes)
                try encoder.finish(into: &bytes)
            }
        } catch {
            throw .encoding("\(error)")
        }
        return ByteBuffer(bytes: bytes)
    }
}
