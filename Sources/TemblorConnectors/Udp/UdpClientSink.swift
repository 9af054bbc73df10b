import NIOCore
import NIOPosix
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Encodes each event alone and sends it as one datagram; acks the events whose send completed
/// and fails the others (a datagram too large, a socket error). A socket that closed is opened
/// again for the next batch.
struct UdpClientSink: Sink {
    let address: HostPort

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        var encoder = try context.makeEncoder()
        var channel: (any Channel)?
        defer { if let channel { channel.close(promise: nil) } }
        var bytes: [UInt8] = []
        while let batch = await input.next() {
            if channel?.isActive != true {
                do {
                    channel = try await open()
                } catch {
                    channel = nil
                    context.fail(batch, reason: "cannot open a socket to \(address): \(NetworkError.reason(error)); \(batch.count) event(s) not sent")
                    continue
                }
            }
            guard let channel else { continue }
            var sends: [(Event, EventLoopFuture<Void>)] = []
            sends.reserveCapacity(batch.count)
            for event in batch {
                bytes.removeAll(keepingCapacity: true)
                do throws(CodecError) {
                    try encoder.encode(event.payload, into: &bytes)
                } catch {
                    context.fail([event], reason: "cannot encode event \(event.id): \(error)")
                    continue
                }
                sends.append((event, channel.write(channel.allocator.buffer(bytes: bytes))))
            }
            channel.flush()
            var sent: [Event] = []
            sent.reserveCapacity(sends.count)
            for (event, future) in sends {
                do {
                    try await future.get()
                    sent.append(event)
                } catch {
                    context.fail([event], reason: "cannot send event \(event.id) to \(address): \(NetworkError.reason(error))")
                }
            }
            context.ack(sent)
        }
        if let channel, channel.isActive {
            bytes.removeAll(keepingCapacity: true)
            try? encoder.finish(into: &bytes)
            if !bytes.isEmpty { try? await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get() }
        }
    }

    private func open() async throws -> any Channel {
        try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeSucceededFuture(channel)
            }
    }
}
