import NIOCore
import NIOPosix
import TemblorRuntime
import TemblorValue

/// Receives datagrams until cancelled. Each sender gets its own stream, so its `peer` is in the
/// metadata and configured preprocessors never join bytes of two senders; the least recently
/// heard sender's stream is ended once `maxPeers` are open.
struct UdpServerSource: Source {
    let address: HostPort
    let onBound: (@Sendable (Int) -> Void)?
    var maxPeers = 1024

    typealias Datagrams = NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, Never>

    func run(_ context: SourceContext) async throws {
        let channel: Datagrams
        do {
            channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                // Room for the largest datagram; the default buffer would truncate big ones.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
                .bind(host: address.host, port: address.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try Datagrams(wrappingChannelSynchronously: channel) }
                }
        } catch {
            throw NetworkError("\(context.name): cannot bind \(address): \(NetworkError.reason(error))")
        }
        let port = channel.channel.localAddress?.port ?? address.port
        context.logger.info("\(context.name): receiving on \(HostPort(host: address.host, port: port))")
        onBound?(port)
        var streams: [String: (stream: SourceStream, heard: UInt64)] = [:]
        var clock: UInt64 = 0
        var bytes: [UInt8] = []
        var failure: (any Error)?
        do {
            try await channel.executeThenClose { inbound in
                for try await envelope in inbound {
                    let peer = envelope.remoteAddress.peerDescription
                    clock += 1
                    if streams[peer] == nil {
                        if streams.count >= maxPeers, let oldest = streams.min(by: { $0.value.heard < $1.value.heard })?.key {
                            await streams[oldest]?.stream.end()
                            streams[oldest] = nil
                        }
                        streams[peer] = (try context.openStream(meta: ["peer": .string(peer)]), clock)
                    }
                    bytes.removeAll(keepingCapacity: true)
                    bytes.append(contentsOf: envelope.data.readableBytesView)
                    streams[peer]!.heard = clock
                    await streams[peer]!.stream.receive(bytes[...])
                }
            }
        } catch is CancellationError {
        } catch {
            failure = error
        }
        for peer in Array(streams.keys) { await streams[peer]!.stream.end() }
        if let failure { throw NetworkError("\(context.name): receiving on \(address) failed: \(NetworkError.reason(failure))") }
    }
}
