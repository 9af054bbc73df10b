import TemblorValue

extension SourceContext {
    /// Sends events made whole elsewhere (a wal replaying what it stored) on `out`, as they
    /// are: ids, metadata and ingest times untouched. Their ids must carry this source's
    /// `sourceId` for their acks to come back here.
    public func send(_ events: [Event]) async {
        guard !events.isEmpty else { return }
        await holdWhileSinksCannotAccept()
        router.produced(events.count, by: sourceId)
        outEvents?.increment(by: events.count)
        await out.send(events)
    }

    /// Sends events on `err` (frames that did not decode, messages given up on), counted as
    /// produced; with nothing linked to `err` each is logged and counts as failed.
    public func sendErrors(_ events: [Event]) async {
        guard !events.isEmpty else { return }
        router.produced(events.count, by: sourceId)
        errEvents?.increment(by: events.count)
        if err.isLinked {
            await err.send(events)
        } else {
            for event in events {
                logger.error("\(event.payload["error"]?.stringValue ?? "\(name): an event for err, which nothing is linked to")")
            }
            router.fail(events)
        }
    }

    /// A sink downstream that cannot accept events holds this source here (backpressure from
    /// its circuit breaker) rather than making it fail events.
    func holdWhileSinksCannotAccept() async {
        guard breakers.contains(where: \.isOpen) else { return }
        let lifecycle = self.lifecycle
        await lifecycle?.onPause()
        for breaker in breakers where breaker.isOpen {
            logger.info("\(name): paused while \(breaker.holding)")
            await breaker.waitUntilClosed()
        }
        await lifecycle?.onResume()
    }
}
