import HummingbirdWSClient
import TemblorRuntime
import TemblorValue

/// Sends each event as one message on the current connection and acks it once the connection's
/// writer took it; a batch that finds no connection, or whose write fails, is failed with the
/// reason. While the link waits to reconnect, its circuit breaker is open and the sources feeding
/// this sink pause.
struct WebSocketClientSink: Sink {
    let link: WebSocketClientLink

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        // A codec that cannot be built fails here, before connecting.
        var encoder = try WebSocketEventEncoder(context)
        link.attach(context.breaker)
        link.acquire()
        defer { link.release() }
        while let batch = await input.next() {
            let writer: WebSocketOutboundWriter
            switch await link.writerForSending() {
            case .success(let (open, _)):
                writer = open
            case .failure(let error):
                context.fail(batch, reason: "\(batch.count) event(s) not sent: \(error.message)")
                continue
            }
            var written: [Event] = []
            written.reserveCapacity(batch.count)
            for (index, event) in batch.enumerated() {
                guard let frame = encoder.frame(for: event, failing: context) else { continue }
                do {
                    try await writer.write(.custom(frame))
                    written.append(event)
                } catch {
                    let unsent = Array(batch[index...])
                    context.fail(
                        unsent,
                        reason: "cannot write to \(link.url): \(NetworkError.webSocketReason(error)); \(unsent.count) event(s) not sent")
                    break
                }
            }
            if !written.isEmpty { context.ack(written) }
        }
    }
}
