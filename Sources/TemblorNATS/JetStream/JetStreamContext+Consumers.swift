extension JetStreamContext {
    /// The consumer's configuration and progress, or nil when the stream has no such consumer.
    public func consumerInfo(stream: String, name: String) async throws(NATSError) -> JetStreamConsumerInfo? {
        try Self.validateName(stream, of: "stream")
        try Self.validateName(name, of: "consumer")
        do {
            return try await call("CONSUMER.INFO.\(stream).\(name)", as: JetStreamConsumerInfo.self)
        } catch .jetStream(_, JetStreamAPIError.consumerNotFound, _) {
            return nil
        }
    }

    /// Creates a durable consumer (`$JS.API.CONSUMER.DURABLE.CREATE.<stream>.<durable>`, which
    /// nats-server 2.9 and later understand); the same configuration again is no error.
    public func createConsumer(stream: String, config: JetStreamConsumerConfig) async throws(NATSError) -> JetStreamConsumerInfo {
        try Self.validateName(stream, of: "stream")
        guard let durable = config.durableName else {
            throw .jetStream(code: 400, errorCode: 0, description: "a consumer made with createConsumer needs a durableName")
        }
        try Self.validateName(durable, of: "consumer")
        let body = try Self.encode(CreateConsumerRequest(stream: stream, config: config))
        return try await call("CONSUMER.DURABLE.CREATE.\(stream).\(durable)", body: body, as: JetStreamConsumerInfo.self)
    }

    /// Deletes the consumer and its progress.
    public func deleteConsumer(stream: String, name: String) async throws(NATSError) {
        try Self.validateName(stream, of: "stream")
        try Self.validateName(name, of: "consumer")
        let answer = try await call("CONSUMER.DELETE.\(stream).\(name)", as: JetStreamSuccess.self)
        guard answer.success else { throw .jetStream(code: 500, errorCode: 0, description: "the server did not delete consumer '\(name)'") }
    }

    /// A puller for the pull consumer: one inbox subscription that all its fetches share.
    public func puller(stream: String, consumer: String) async throws(NATSError) -> JetStreamPuller {
        try Self.validateName(stream, of: "stream")
        try Self.validateName(consumer, of: "consumer")
        return try await JetStreamPuller(context: self, stream: stream, consumer: consumer)
    }

    /// One fetch on a puller made for it and closed after: simple, but a subscription per call;
    /// keep a `JetStreamPuller` for repeated fetches.
    public func fetch(stream: String, consumer: String, batch: Int, expires: Duration, noWait: Bool = false) async throws(NATSError) -> [JetStreamMessage] {
        let puller = try await puller(stream: stream, consumer: consumer)
        do {
            let messages = try await puller.fetch(batch: batch, expires: expires, noWait: noWait)
            await puller.close()
            return messages
        } catch {
            await puller.close()
            throw error
        }
    }
}

/// The body of a consumer create call.
struct CreateConsumerRequest: Encodable {
    var stream: String
    var config: JetStreamConsumerConfig

    enum CodingKeys: String, CodingKey { case stream = "stream_name", config }
}
