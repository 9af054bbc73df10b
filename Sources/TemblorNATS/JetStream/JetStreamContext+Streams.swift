extension JetStreamContext {
    /// The stream's configuration and state, or nil when there is no stream of that name.
    public func streamInfo(_ name: String) async throws(NATSError) -> JetStreamStreamInfo? {
        try Self.validateName(name, of: "stream")
        do {
            return try await call("STREAM.INFO.\(name)", as: JetStreamStreamInfo.self)
        } catch .jetStream(_, JetStreamAPIError.streamNotFound, _) {
            return nil
        }
    }

    /// Creates the stream; succeeds without change when it exists with the same configuration,
    /// throws `.jetStream` (err_code 10058) when it exists with another.
    public func createStream(_ config: JetStreamStreamConfig) async throws(NATSError) -> JetStreamStreamInfo {
        try Self.validateName(config.name, of: "stream")
        return try await call("STREAM.CREATE.\(config.name)", body: Self.encode(config), as: JetStreamStreamInfo.self)
    }

    /// Changes an existing stream's configuration (not every field may change: storage may not).
    public func updateStream(_ config: JetStreamStreamConfig) async throws(NATSError) -> JetStreamStreamInfo {
        try Self.validateName(config.name, of: "stream")
        return try await call("STREAM.UPDATE.\(config.name)", body: Self.encode(config), as: JetStreamStreamInfo.self)
    }

    /// Deletes the stream, its messages and its consumers.
    public func deleteStream(_ name: String) async throws(NATSError) {
        try Self.validateName(name, of: "stream")
        let answer = try await call("STREAM.DELETE.\(name)", as: JetStreamSuccess.self)
        guard answer.success else { throw .jetStream(code: 500, errorCode: 0, description: "the server did not delete stream '\(name)'") }
    }
}

/// The answer of calls that only say whether they worked.
struct JetStreamSuccess: Decodable {
    var success: Bool
}
