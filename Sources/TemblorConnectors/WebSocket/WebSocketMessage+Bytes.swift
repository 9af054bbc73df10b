import HummingbirdWebSocket

extension WebSocketMessage {
    /// The message's bytes (a text message's UTF-8) and whether it came as a binary frame, as the
    /// codec decodes it.
    var bytesAndKind: (bytes: [UInt8], binary: Bool) {
        switch self {
        case .text(let text): (Array(text.utf8), false)
        case .binary(let buffer): (Array(buffer.readableBytesView), true)
        }
    }
}
