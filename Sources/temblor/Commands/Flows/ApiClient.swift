import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to a daemon's API for `temblor flows`: one request, its status and its JSON body.
struct ApiClient {
    struct Answer {
        var status: Int
        var body: Data

        var json: Any? { body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: body) }

        /// The API's error and details, one per line, for a refused request.
        var errorText: String {
            guard let object = json as? [String: Any], let error = object["error"] as? String else {
                return String(decoding: body, as: UTF8.self)
            }
            let details = (object["details"] as? [String]) ?? []
            return ([error] + details.map { "  " + $0 }).joined(separator: "\n")
        }
    }

    /// The API's base URL, without a trailing slash.
    let base: String
    let token: String?

    func send(_ method: HTTPMethod, _ path: String, body: Data? = nil, type: String = "application/json") async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "content-type", value: type)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        // A daemon that is not there is said at once, not after retrying until the deadline;
        // the deadline itself is long, as stopping a flow waits for it to drain.
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let response = try await client.execute(request, timeout: .seconds(120))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            try await client.shutdown()
            return Answer(status: Int(response.status.code), body: Data(bytes.readableBytesView))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
