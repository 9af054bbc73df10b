import TemblorRuntime
import TemblorValue

/// Reads what the server sends back, one stream per connection, until the flow stops or the
/// client gives up reconnecting.
struct TcpClientSource: Source {
    let link: TcpClientLink

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
            case .data(let connection, let peer, let bytes):
                if stream == nil || current != connection {
                    await stream?.end()
                    stream = try context.openStream(meta: ["peer": .string(peer), "connection": .int(Int64(connection))])
                    current = connection
                }
                await stream?.receive(bytes[...])
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
