import NIOCore
import NIOWebSocket
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Turns an event into one WebSocket message: its payload encoded by the connector's codec and
/// postprocessors, sent as a binary frame when the payload is bytes or `meta.ws.binary` is true,
/// else as text. Postprocessors that keep state (a compressor) start afresh for every message,
/// so that each message stands on its own.
struct WebSocketEventEncoder {
    private let spec: StreamCodecSpec
    /// Reused from message to message when there are no postprocessors (a codec alone keeps no
    /// state that crosses messages).
    private var shared: StreamEncoder?
    private var bytes: [UInt8] = []

    init(_ context: SinkContext) throws(CodecError) {
        spec = context.codecSpec
        shared = spec.postprocessors.isEmpty ? try context.makeEncoder() : nil
    }

    /// Whether `event` goes out as a binary message.
    static func isBinary(_ event: Event) -> Bool {
        if case .bytes = event.payload { return true }
        return event.meta["ws"]?["binary"]?.boolValue == true
    }

    /// The frame for `event`, or `nil` after failing it through `context` when it does not encode.
    mutating func frame(for event: Event, failing context: SinkContext) -> WebSocketFrame? {
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
            context.fail([event], reason: "cannot encode event \(event.id): \(error)")
            return nil
        }
        return WebSocketFrame(fin: true, opcode: Self.isBinary(event) ? .binary : .text, data: ByteBuffer(bytes: bytes))
    }
}
