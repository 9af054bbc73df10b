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
    private var message: MessageEncoder

    init(_ context: SinkContext) throws(CodecError) {
        message = try MessageEncoder(context)
    }

    /// Whether `event` goes out as a binary message.
    static func isBinary(_ event: Event) -> Bool {
        if case .bytes = event.payload { return true }
        return event.meta["ws"]?["binary"]?.boolValue == true
    }

    /// The frame for `event`, or `nil` after failing it through `context` when it does not encode.
    mutating func frame(for event: Event, failing context: SinkContext) -> WebSocketFrame? {
        let data: ByteBuffer
        do throws(CodecError) {
            data = try message.encode(event.payload)
        } catch {
            context.fail([event], reason: "cannot encode event \(event.id): \(error)")
            return nil
        }
        return WebSocketFrame(fin: true, opcode: Self.isBinary(event) ? .binary : .text, data: data)
    }
}
