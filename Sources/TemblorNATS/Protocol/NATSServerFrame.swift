/// One protocol message from the server, as the decoder hands it on.
enum NATSServerFrame: Sendable {
    case info(NATSServerInfo)
    case message(NATSMessage)
    case ping
    case pong
    case ok
    /// `-ERR` with its text, quotes removed.
    case error(String)
}
