/// The `error` object of a JetStream API response.
struct JetStreamAPIError: Decodable, Sendable {
    var code: Int
    var errorCode: Int
    var description: String

    enum CodingKeys: String, CodingKey {
        case code, errorCode = "err_code", description
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decodeIfPresent(Int.self, forKey: .code) ?? 0
        errorCode = try c.decodeIfPresent(Int.self, forKey: .errorCode) ?? 0
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? "unknown error"
    }

    var natsError: NATSError { .jetStream(code: code, errorCode: errorCode, description: description) }

    /// `err_code` of "stream not found".
    static let streamNotFound = 10059
    /// `err_code` of "consumer not found".
    static let consumerNotFound = 10014
}

/// Any API response: only its `error`, looked at before the rest is decoded.
struct JetStreamAPIEnvelope: Decodable {
    var error: JetStreamAPIError?
}
