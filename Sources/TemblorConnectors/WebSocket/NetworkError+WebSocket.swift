import NIOCore
import NIOWebSocket

extension NetworkError {
    /// A short reason for a failed WebSocket write or connection: a connection that is closing
    /// or closed says so, other errors as sockets describe them.
    static func webSocketReason(_ error: any Error) -> String {
        if let writer = error as? NIOAsyncWriterError, writer == .alreadyFinished() { return "the connection is closing" }
        if let channel = error as? ChannelError {
            switch channel {
            case .ioOnClosedChannel, .alreadyClosed, .outputClosed: return "the connection is closed"
            default: break
            }
        }
        return reason(error)
    }
}
