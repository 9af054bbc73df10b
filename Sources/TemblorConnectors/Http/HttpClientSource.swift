import TemblorRuntime
import TemblorValue

/// Emits the responses the sink side received, each decoded by the codec its `Content-Type`
/// names (else the connector's), until the sink side ends or the flow stops.
struct HttpClientSource: Source {
    let replies: Rendezvous<HttpClientReply>

    func run(_ context: SourceContext) async throws {
        replies.attach()
        defer { replies.detach() }
        while let reply = await replies.take() {
            let spec = HttpBodyCodec.spec(for: reply.contentType, fallback: context.codecSpec)
            var stream = try context.openStream(meta: reply.meta, codec: spec)
            var outcomes: [StreamDecoder.Outcome] = reply.body.isEmpty ? [.value(.null, frame: 0)] : stream.decodeMessage(reply.body[...])
            await stream.send(&outcomes)
        }
    }
}
