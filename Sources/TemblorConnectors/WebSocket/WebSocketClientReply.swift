/// What a `ws_client` connection brings back for the source side: a message from the server, or
/// the end of a connection (the end of its stream).
enum WebSocketClientReply: Sendable {
    case message(connection: UInt64, bytes: [UInt8], binary: Bool)
    case closed(connection: UInt64)
}
