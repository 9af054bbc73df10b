import Foundation
import NIOCore

/// The JetStream API over a client: streams, consumers, publishing with a receipt, and pulling
/// from consumers. A value: make one wherever needed, it holds no state of its own.
public struct JetStreamContext: Sendable {
    /// The client the API calls go through.
    public let client: NATSClient
    /// The API's subject prefix: `$JS.API`, or `$JS.<domain>.API` for a domain.
    public let prefix: String
    /// How long each API call and each publish waits for its answer.
    public let timeout: Duration

    /// The API of `client`'s account, under `prefix`.
    public init(client: NATSClient, prefix: String = "$JS.API", timeout: Duration = .seconds(5)) {
        self.client = client
        self.prefix = prefix
        self.timeout = timeout
    }

    /// One API request: `body` to `<prefix>.<subject>`, the answer decoded, an `error` in it thrown.
    func call<Response: Decodable>(_ subject: String, body: ByteBuffer = ByteBuffer(), as type: Response.Type) async throws(NATSError) -> Response {
        let reply = try await client.request(body, to: "\(prefix).\(subject)", timeout: timeout)
        return try Self.decode(type, from: reply.payload, answering: "\(prefix).\(subject)")
    }

    /// Decodes an API answer, throwing the `error` it holds if any.
    static func decode<Response: Decodable>(_ type: Response.Type, from payload: ByteBuffer, answering subject: String) throws(NATSError) -> Response {
        let data = Data(payload.readableBytesView)
        let decoder = JSONDecoder()
        let envelope: JetStreamAPIEnvelope
        do {
            envelope = try decoder.decode(JetStreamAPIEnvelope.self, from: data)
        } catch {
            throw .protocolViolation("the answer to '\(subject)' is not JSON: '\(String(decoding: data.prefix(120), as: UTF8.self))'")
        }
        if let error = envelope.error { throw error.natsError }
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw .protocolViolation("the answer to '\(subject)' is not the JSON expected (\(error)): '\(String(decoding: data.prefix(200), as: UTF8.self))'")
        }
    }

    /// JSON of a request body.
    static func encode(_ value: some Encodable) throws(NATSError) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONEncoder().encode(value))
        } catch {
            throw .protocolViolation("cannot encode a JetStream request: \(error)")
        }
    }

    /// Stream and consumer names become subject tokens: no dots, spaces or wildcards.
    static func validateName(_ name: String, of kind: String) throws(NATSError) {
        let bad = name.isEmpty || name.utf8.contains { $0 <= 32 || $0 == 127 || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: ">") }
        if bad {
            throw .jetStream(code: 400, errorCode: 0, description: "the \(kind) name '\(name)' is empty or holds a dot, space or wildcard")
        }
    }
}
