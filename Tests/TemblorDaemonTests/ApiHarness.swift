import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOHTTP1
import Synchronization
import TemblorDaemon

/// The API on a free port of 127.0.0.1 with a real HTTP client, for the tests that drive it as a
/// user's script or browser would.
struct ApiHarness: Sendable {
    /// A response: its status, headers, and body parsed as JSON when it is JSON.
    struct Answer: @unchecked Sendable {
        // `json` holds only what JSONSerialization returns (immutable Foundation collections),
        // read by the one test task that made the request.
        var status: Int
        var headers: HTTPHeaders
        var text: String
        var json: Any?
        var object: [String: Any]? { json as? [String: Any] }
        var array: [[String: Any]]? { json as? [[String: Any]] }
    }

    let base: String
    let client: HTTPClient
    let registry: FlowRegistry
    /// The directory flows deployed over the API resolve their paths in.
    let directory: String
    /// Sent as the bearer token unless a request says otherwise.
    var token: String?

    /// A fresh temporary directory.
    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Runs the API over a new registry for `body`, then stops every flow.
    static func with(
        roots: [String]? = nil, token: String? = nil, directory: String? = nil,
        _ body: (ApiHarness) async throws -> Void
    ) async throws {
        let dir = try directory ?? Self.directory()
        let registry = FlowRegistry()
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: DaemonApi(registry: registry, directory: dir, roots: roots, token: token).router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } })
        let serving = Task { try await app.runService() }
        // A loaded machine (the whole suite in parallel) can take many seconds to start a server.
        let deadline = ContinuousClock.now + .seconds(60)
        while port.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        guard port.withLock({ $0 }) != nil else {
            serving.cancel()
            throw TimedOut(what: "the API server to listen (60 s)")
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let harness = ApiHarness(
            base: "http://127.0.0.1:\(port.withLock { $0 } ?? 0)", client: client, registry: registry, directory: dir, token: token)
        do {
            try await body(harness)
        } catch {
            try? await client.shutdown()
            await registry.stopAll()
            serving.cancel()
            throw error
        }
        try await client.shutdown()
        await registry.stopAll()
        serving.cancel()
    }

    /// One request; `authorization` replaces the harness's bearer token when given ("" sends none).
    func call(
        _ method: NIOHTTP1.HTTPMethod, _ path: String, body: String? = nil, type: String = "application/yaml",
        authorization: String? = nil, headers: [(String, String)] = []
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let authorization {
            if !authorization.isEmpty { request.headers.add(name: "authorization", value: authorization) }
        } else if let token {
            request.headers.add(name: "authorization", value: "Bearer \(token)")
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "content-type", value: type)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        let data = Data(bytes.readableBytesView)
        let isJSON = response.headers.first(name: "content-type")?.hasPrefix("application/json") == true
        return Answer(
            status: Int(response.status.code), headers: response.headers, text: String(decoding: data, as: UTF8.self),
            json: isJSON && !data.isEmpty ? try JSONSerialization.jsonObject(with: data) : nil)
    }

    /// Polls `condition` until it holds, failing after `seconds`.
    func waitUntil(seconds: Int = 10, _ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The flow `id` as `GET /v1/flows/{id}` answers it.
    func flow(_ id: String) async throws -> [String: Any] {
        let answer = try await call(.GET, "/v1/flows/\(id)")
        guard answer.status == 200, let object = answer.object else { throw TimedOut(what: "flow \(id): \(answer.status) \(answer.text)") }
        return object
    }
}

/// A condition a test waited for did not come.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
