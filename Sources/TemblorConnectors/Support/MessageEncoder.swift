import NIOCore
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Encodes an event's payload as one message that stands on its own (a WebSocket message, a
/// NATS message): the connector's codec and postprocessors, where postprocessors that keep
/// state (a compressor) start afresh for every message.
struct MessageEncoder {
    private let spec: StreamCodecSpec
    /// Reused from message to message when there are no postprocessors (a codec alone keeps no
    /// state that crosses messages).
    private var shared: StreamEncoder?
    private var bytes: [UInt8] = []

    init(_ context: SinkContext) throws(CodecError) {
        spec = context.codecSpec
        shared = spec.postprocessors.isEmpty ? try context.makeEncoder() : nil
    }

    /// The bytes of the message that carries `payload`.
    mutating func encode(_ payload: Value) throws(CodecError) -> ByteBuffer {
        bytes.removeAll(keepingCapacity: true)
        if shared != nil {
            try shared!.encode(payload, into: &bytes)
        } else {
            var encoder = try spec.makeEncoder()
            try encoder.encode(payload, into: &bytes)
            try encoder.finish(into: &bytes)
        }
        return ByteBuffer(bytes: bytes)
    }
}
