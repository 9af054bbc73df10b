import TemblorRuntime

/// Learns whether the flow links anything into the server's `in`: if so, requests wait for an
/// answer event; if not, each is answered by its events' acks and fails alone.
struct HttpServerLifecycle: ConnectorLifecycle {
    let pending: HttpPendingRequests

    func sidesInUse(source: Bool, sink: Bool) async {
        pending.answering = sink
    }
}
