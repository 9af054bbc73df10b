import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOHTTP1
import Synchronization
import Testing
import TemblorDaemon

/// The API with a real HTTP client: every endpoint, and each refusal with its status.
@Suite(.serialized, .timeLimit(.minutes(1))) struct DaemonApiTests {
    final class Port: Sendable {
        let value = Mutex<Int?>(nil)
    }

    /// Runs the API on a free port of 127.0.0.1 for `body`.
    func withApi(_ body: (String, HTTPClient) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let registry = FlowRegistry()
        let port = Port()
        let app = Application(
            router: DaemonApi(registry: registry, directory: dir).router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.value.withLock { $0 = channel.localAddress?.port } })
        let serving = Task { try await app.runService() }
        let deadline = ContinuousClock.now + .seconds(10)
        while port.value.withLock({ $0 }) == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body("http://127.0.0.1:\(port.value.withLock { $0 } ?? 0)", client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        await registry.stopAll()
        serving.cancel()
    }

    func call(_ client: HTTPClient, _ method: NIOHTTP1.HTTPMethod, _ url: String, body: String? = nil, type: String = "application/yaml") async throws -> (Int, [String: Any]?, Any?) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "content-type", value: type)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = bytes.readableBytes == 0 ? nil : try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))
        return (Int(response.status.code), json as? [String: Any], json)
    }

    let ticking = """
        connectors:
          tick: { type: metronome, config: { interval_ms: 5 } }
          sink: { type: blackhole }
        links: [tick -> sink]
        """

    @Test func deployListPauseResumeAndDeleteAFlow() async throws {
        try await withApi { base, client in
            #expect(try await call(client, .GET, base + "/healthz").0 == 200)
            let (created, flow, _) = try await call(client, .POST, base + "/v1/flows?id=ticks", body: ticking)
            #expect(created == 201)
            #expect(flow?["id"] as? String == "ticks")
            #expect(flow?["status"] as? String == "running")
            #expect(flow?["nodes"] as? [String] == ["tick", "sink"])
            let (_, _, list) = try await call(client, .GET, base + "/v1/flows")
            #expect((list as? [[String: Any]])?.map { $0["id"] as? String } == ["ticks"])
            try await Task.sleep(for: .milliseconds(100))
            let (paused, pausedFlow, _) = try await call(client, .PATCH, base + "/v1/flows/ticks", body: #"{"status":"paused"}"#, type: "application/json")
            #expect(paused == 200)
            #expect(pausedFlow?["status"] as? String == "paused")
            let (_, one, _) = try await call(client, .GET, base + "/v1/flows/ticks")
            #expect(one?["status"] as? String == "paused")
            #expect((one?["events_in"] as? Int ?? 0) > 0)
            #expect(try await call(client, .PATCH, base + "/v1/flows/ticks", body: #"{"status":"running"}"#, type: "application/json").0 == 200)
            #expect(try await call(client, .GET, base + "/readyz").0 == 200)
            let (deleted, final, _) = try await call(client, .DELETE, base + "/v1/flows/ticks")
            #expect(deleted == 200)
            #expect(final?["events_in"] as? Int == final?["events_out"] as? Int)
            #expect(final?["failed"] as? Int == 0)
            #expect(try await call(client, .GET, base + "/v1/flows/ticks").0 == 404)
        }
    }

    @Test func refusalsCarryTheirStatusAndReason() async throws {
        try await withApi { base, client in
            let (invalid, error, _) = try await call(client, .POST, base + "/v1/flows?id=typo", body: "connectors:\n  x: { type: metronom }\nlinks: []\n")
            #expect(invalid == 400)
            #expect((error?["details"] as? [String])?.first?.contains("typo.yaml:2:") == true)
            #expect(try await call(client, .POST, base + "/v1/flows", body: ticking).0 == 400)
            // The JSON form names the id in the body.
            let json = String(decoding: try JSONSerialization.data(withJSONObject: ["id": "j", "flow": ticking]), as: UTF8.self)
            #expect(try await call(client, .POST, base + "/v1/flows", body: json, type: "application/json").0 == 201)
            #expect(try await call(client, .GET, base + "/v1/flows/j").0 == 200)
            #expect(try await call(client, .POST, base + "/v1/flows", body: #"{"flow":"x"}"#, type: "application/json").0 == 400)
            #expect(try await call(client, .POST, base + "/v1/flows?id=one", body: ticking).0 == 201)
            let (taken, takenError, _) = try await call(client, .POST, base + "/v1/flows?id=one", body: ticking)
            #expect(taken == 409)
            #expect((takenError?["error"] as? String)?.contains("deployed already") == true)
            #expect(try await call(client, .POST, base + "/v1/flows?id=big", body: String(repeating: "#", count: 2 << 20)).0 == 413)
            #expect(try await call(client, .GET, base + "/v1/flows/nobody").0 == 404)
            #expect(try await call(client, .DELETE, base + "/v1/flows/nobody").0 == 404)
            #expect(try await call(client, .PATCH, base + "/v1/flows/one", body: #"{"status":"asleep"}"#, type: "application/json").0 == 400)
        }
    }
}
