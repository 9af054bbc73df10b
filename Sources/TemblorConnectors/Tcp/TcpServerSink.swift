import NIOCore
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// Writes each event to the connection its `connection` metadata names, with one encoder per
/// connection; acks once the bytes are written, fails events whose connection is gone.
struct TcpServerSink: Sink {
    let connections: TcpConnectionTable

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        var encoders: [UInt64: StreamEncoder] = [:]
        var bytes: [UInt8] = []
        var batches = 0
        while let batch = await input.next() {
            // Group by connection, keeping each connection's events in order.
            var order: [UInt64] = []
            var groups: [UInt64: [Event]] = [:]
            var unaddressed: [Event] = []
            for event in batch {
                guard let raw = event.meta["connection"], let id = raw.uintValue else {
                    unaddressed.append(event)
                    continue
                }
                if groups[id] == nil { order.append(id) }
                groups[id, default: []].append(event)
            }
            if !unaddressed.isEmpty {
                context.fail(
                    unaddressed,
                    reason: "\(unaddressed.count) event(s) without 'connection' metadata; \(context.name) answers only events that came from one of its connections")
            }
            for id in order {
                let events = groups[id]!
                guard let channel = connections.channel(id) else {
                    encoders[id] = nil
                    context.fail(events, reason: "connection \(id) is closed (or is not one of \(context.name)'s); \(events.count) event(s) not sent")
                    continue
                }
                if encoders[id] == nil {
                    do {
                        encoders[id] = try context.makeEncoder()
                    } catch {
                        context.fail(events, reason: "cannot encode for connection \(id): \(error)")
                        continue
                    }
                }
                bytes.removeAll(keepingCapacity: true)
                let written = encoders[id]!.encode(events, into: &bytes, failing: context)
                guard !written.isEmpty else { continue }
                do {
                    try await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get()
                    context.ack(written)
                } catch {
                    context.fail(written, reason: "cannot write to connection \(id): \(NetworkError.reason(error))")
                }
            }
            // Now and then, forget the encoders of connections that closed since.
            batches &+= 1
            if batches % 64 == 0 {
                for id in Array(encoders.keys) where connections.channel(id) == nil { encoders[id] = nil }
            }
        }
        // What the postprocessors still hold (a compressor's trailer) goes to each open connection.
        for (id, var encoder) in encoders {
            guard let channel = connections.channel(id) else { continue }
            bytes.removeAll(keepingCapacity: true)
            try? encoder.finish(into: &bytes)
            if !bytes.isEmpty { try? await channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).get() }
        }
    }
}
