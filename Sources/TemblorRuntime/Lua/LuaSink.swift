import TemblorLua

/// The sink side of a Lua connector: calls `on_event` for each event (returning normally acks
/// it, an error fails it back to its source) and forwards what `on_event` emits through the
/// connector's source side. A connector without a source side gets its `on_drain` here, once
/// its input ended.
struct LuaSink: Sink {
    let instance: LuaInstance
    let name: String

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        var forward: SourceStream?
        var noOutlet = false
        while let batch = await input.next() {
            var start = 0
            while start < batch.count {
                let delivery = await instance.deliver(batch, from: start)
                var (acked, failed) = delivery.split(batch)
                if !delivery.emissions.isEmpty {
                    if forward == nil && !noOutlet {
                        if let source = await instance.awaitSourceContext() {
                            forward = try? source.openStream()
                        }
                        noOutlet = forward == nil
                    }
                    if forward != nil {
                        await forward!.send(delivery.emissions)
                        await forward!.flush()
                    } else {
                        // Forwarded events with nowhere to go would be lost: the events fail instead.
                        context.fail(acked, reason: "on_event emitted events, but nothing is linked from \(name)'s out port")
                        acked = []
                    }
                }
                if !acked.isEmpty { context.ack(acked) }
                if !failed.isEmpty { context.fail(failed, reason: delivery.reason) }
                start = delivery.next
                if start < batch.count, let delay = await instance.restartDelay() {
                    // The state restarts: the rest of the batch waits rather than failing.
                    try? await Task.sleep(for: delay)
                }
            }
        }
        await forward?.end()
        await instance.finishSink()
        // Without a source side, nothing else calls on_drain; what it emits has no way out.
        if await !instance.sourceInUse {
            let lost = await instance.drain()
            if !lost.isEmpty {
                context.logger.warning("\(name): on_drain emitted \(lost.count) event(s), but nothing is linked from \(name)'s out port")
            }
        }
    }
}
