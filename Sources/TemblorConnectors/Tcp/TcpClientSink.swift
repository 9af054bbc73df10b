import NIOCore
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Writes each batch in one write on the current connection and acks it once written; a batch
/// that finds no connection, or whose write fails, is failed with the reason. While the link
/// waits to reconnect, its circuit breaker is open and the sources feeding this sink pause.
struct TcpClientSink: Sink {
    let link: TcpClientLink

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        // A codec that cannot be built fails here, before connecting.
        var encoder = try context.makeEncoder()
        var encoderConnection: UInt64 = 0
        link.attach(context.breaker)
        link.acquire()
        defer { link.release() }
        var bytes: [UInt8] = []
        while let batch = await input.next() {
            let channel: any Channel
            switch await link.channelForWriting() {
            case .success(let (open, connection)):
                channel = open
                if connection != encoderConnection {
                    // A new connection is a new stream: fresh postprocessor state.
                    encoder = try context.makeEncoder()
                    encoderConnection = connection
                }
            case .failure(let error):
                context.fail(batch, reason: "\(batch.count) event(s) not sent: \(error.message)")
                continue
            }
            bytes.removeAll(keepingCapacity: true)
            let written = encoder.encode(batch, into: &bytes, failing: context)
            guard !written.isEmpty else { continue }
            do {
                try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
                context.ack(written)
            } catch {
                context.fail(written, reason: "cannot write to \(link.address): \(NetworkError.reason(error)); \(written.count) event(s) not sent")
            }
        }
        if case .connected(let channel, let connection) = link.phase, connection == encoderConnection {
            bytes.removeAll(keepingCapacity: true)
            try? encoder.finish(into: &bytes)
            if !bytes.isEmpty { try? await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get() }
        }
    }
}
