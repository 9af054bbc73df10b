import HummingbirdWebSocket
import TemblorRuntime
import TemblorValue

/// Writes each event as one message on the connection its `meta.ws.connection` names, in order,
/// acking it once the connection's writer took it; events naming no open connection fail with
/// the reason.
struct WebSocketServerSink: Sink {
    let connections: WebSocketConnectionTable

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        var encoder = try WebSocketEventEncoder(context)
        while let batch = await input.next() {
            // Group by connection, keeping each connection's events in order.
            var order: [UInt64] = []
            var groups: [UInt64: [Event]] = [:]
            var unaddressed: [Event] = []
            for event in batch {
                guard let id = event.meta["ws"]?["connection"]?.uintValue else {
                    unaddressed.append(event)
                    continue
                }
                if groups[id] == nil { order.append(id) }
                groups[id, default: []].append(event)
            }
            if !unaddressed.isEmpty {
                context.fail(
                    unaddressed,
                    reason: "\(unaddressed.count) event(s) without 'ws.connection' metadata; \(context.name) answers only events that came from one of its connections")
            }
            for id in order {
                let events = groups[id]!
                guard let connection = connections.connection(id) else {
                    context.fail(events, reason: "connection \(id) is closed (or is not one of \(context.name)'s); \(events.count) event(s) not sent")
                    continue
                }
                var written: [Event] = []
                written.reserveCapacity(events.count)
                for (index, event) in events.enumerated() {
                    guard let frame = encoder.frame(for: event, failing: context) else { continue }
                    do {
                        try await connection.writer.write(.custom(frame))
                        written.append(event)
                    } catch {
                        let unsent = Array(events[index...])
                        context.fail(
                            unsent,
                            reason: "cannot write to connection \(id): \(NetworkError.webSocketReason(error)); \(unsent.count) event(s) not sent")
                        break
                    }
                }
                if !written.isEmpty { context.ack(written) }
            }
        }
    }
}
