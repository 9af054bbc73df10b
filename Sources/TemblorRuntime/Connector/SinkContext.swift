import Logging
import TemblorCodecs
import TemblorValue

/// What a running sink uses: its codec recipe, the contraflow router and a logger.
public final class SinkContext: Sendable {
    public let name: String
    public let logger: Logger
    let codec: StreamCodecSpec
    let router: ContraflowRouter
    /// Open it while the sink cannot accept events (its connection is down) to pause the
    /// sources feeding it; close it when the sink recovers.
    public let breaker: CircuitBreaker

    public init(name: String, codec: StreamCodecSpec, router: ContraflowRouter, breaker: CircuitBreaker? = nil, logger: Logger? = nil) {
        self.name = name
        self.breaker = breaker ?? CircuitBreaker(sink: name)
        self.codec = codec
        self.router = router
        self.logger = logger ?? Logger(label: "temblor.connector.\(name)")
    }

    /// A fresh encoder for one output stream.
    public func makeEncoder() throws(CodecError) -> StreamEncoder {
        try codec.makeEncoder()
    }

    /// The codec and processors the flow gave this connector, for a sink that picks another
    /// codec per message (an HTTP answer's Content-Type) and falls back to this one.
    public var codecSpec: StreamCodecSpec { codec }

    /// These events were delivered.
    public func ack(_ events: [Event]) {
        router.ack(events)
    }

    /// These events could not be delivered; the reason is logged once per call.
    public func fail(_ events: [Event], reason: String) {
        logger.error("\(name): \(reason)")
        router.fail(events, reason: reason)
    }
}
