/// What a `tcp_client` connection brings back for the source side: bytes from the server, or
/// the end of a connection (the end of its stream).
enum TcpClientReply: Sendable {
    case data(connection: UInt64, peer: String, bytes: [UInt8])
    case closed(connection: UInt64)
}
