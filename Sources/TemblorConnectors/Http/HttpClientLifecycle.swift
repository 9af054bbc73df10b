import TemblorRuntime

/// Opens the way for responses as soon as the flow says it reads the client's `out`, so that
/// no response of an early request is dropped before the source side starts.
struct HttpClientLifecycle: ConnectorLifecycle {
    let replies: Rendezvous<HttpClientReply>

    func sidesInUse(source: Bool, sink: Bool) async {
        if source { replies.attach() }
    }
}
