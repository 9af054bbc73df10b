import TemblorRuntime
import TemblorValue

/// Reads the messages the server sends, one stream per connection and one whole message decoded
/// at a time, until the flow stops or the client gives up reconnecting.
struct WebSocketClientSource: Source {
    let link: WebSocketClientLink

    static let textMeta: Value = ["ws": ["binary": false]]
    static let binaryMeta: Value = ["ws": ["binary": true]]

    func run(_ context: SourceContext) async throws {
        link.replies.attach()
        link.acquire()
        defer {
            link.replies.detach()
            link.release()
        }
        var stream: SourceStream?
        var current: UInt64 = 0
        while let reply = await link.replies.take() {
            switch reply {
            case .message(let connection, let bytes, let binary):
                if stream == nil || current != connection {
                    await stream?.end()
                    stream = try context.openStream()
                    current = connection
                }
                var outcomes = stream!.decodeMessage(bytes[...])
                await stream!.send(&outcomes, meta: binary ? Self.binaryMeta : Self.textMeta)
            case .closed(let connection):
                if connection == current {
                    await stream?.end()
                    stream = nil
                }
            }
        }
        await stream?.end()
    }
}
