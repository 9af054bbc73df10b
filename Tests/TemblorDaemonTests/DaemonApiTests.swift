import Foundation
import NIOHTTP1
import Testing
import TemblorDaemon

/// The API with a real HTTP client: every endpoint, and each refusal with its status.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DaemonApiTests {
    let ticking = """
        connectors:
          tick: { type: metronome, config: { interval_ms: 5 } }
          sink: { type: blackhole }
        links: [tick -> sink]
        """

    @Test func deployListPauseResumeAndDeleteAFlow() async throws {
        try await ApiHarness.with { api in
            #expect(try await api.call(.GET, "/healthz").status == 200)
            let created = try await api.call(.POST, "/v1/flows?id=ticks", body: ticking)
            #expect(created.status == 201)
            #expect(created.object?["id"] as? String == "ticks")
            #expect(created.object?["status"] as? String == "running")
            #expect(created.object?["nodes"] as? [String] == ["tick", "sink"])
            #expect((created.object?["started_at"] as? Double ?? 0) > 1_700_000_000)
            let list = try await api.call(.GET, "/v1/flows")
            #expect(list.array?.map { $0["id"] as? String } == ["ticks"])
            let keys = Set(list.array?.first?.keys.map { $0 } ?? [])
            #expect(keys.isSuperset(of: ["id", "status", "started_at", "nodes", "events_in", "events_out", "failed"]))
            try await api.waitUntil("events") { (try await api.flow("ticks")["events_in"] as? Int ?? 0) > 0 }
            let paused = try await api.call(.PATCH, "/v1/flows/ticks", body: #"{"status":"paused"}"#, type: "application/json")
            #expect(paused.status == 200)
            #expect(paused.object?["status"] as? String == "paused")
            #expect(try await api.flow("ticks")["status"] as? String == "paused")
            #expect(try await api.call(.PATCH, "/v1/flows/ticks", body: #"{"status":"running"}"#, type: "application/json").status == 200)
            #expect(try await api.call(.GET, "/readyz").status == 200)
            let deleted = try await api.call(.DELETE, "/v1/flows/ticks")
            #expect(deleted.status == 200)
            #expect(deleted.object?["events_in"] as? Int == deleted.object?["events_out"] as? Int)
            #expect(deleted.object?["failed"] as? Int == 0)
            #expect(try await api.call(.GET, "/v1/flows/ticks").status == 404)
            #expect(try await api.call(.GET, "/v1/flows").array?.isEmpty == true)
        }
    }

    /// A paced finite source paused half-way stops producing, and once resumed delivers every
    /// event: nothing is lost or doubled across the pause.
    @Test func aFiniteSourceDeliversEveryEventAcrossAPause() async throws {
        try await ApiHarness.with { api in
            let lines = (1...100).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n"
            try lines.write(toFile: api.directory + "/in.jsonl", atomically: true, encoding: .utf8)
            #expect(try await api.call(.POST, "/v1/flows?id=paced", body: """
                connectors:
                  in: { type: bench, config: { path: in.jsonl, rate: 200 } }
                  out: { type: file, config: { path: out.jsonl, mode: truncate } }
                links: [in -> out]
                """).status == 201)
            try await api.waitUntil("the first events") { (try await api.flow("paced")["events_out"] as? Int ?? 0) >= 10 }
            #expect(try await api.call(.PATCH, "/v1/flows/paced", body: #"{"status":"paused"}"#, type: "application/json").status == 200)
            try await api.waitUntil("in-flight events to drain") {
                let flow = try await api.flow("paced")
                return flow["events_in"] as? Int == flow["events_out"] as? Int
            }
            let held = try await api.flow("paced")["events_in"] as? Int ?? 0
            try await Task.sleep(for: .milliseconds(300))
            let later = try await api.flow("paced")
            #expect(later["events_in"] as? Int == held, "a paused source went on producing")
            #expect(later["status"] as? String == "paused")
            #expect(held < 100, "the flow ended before the pause took hold")
            #expect(try await api.call(.PATCH, "/v1/flows/paced", body: #"{"status":"running"}"#, type: "application/json").status == 200)
            try await api.waitUntil("the source to end") { try await api.flow("paced")["status"] as? String == "stopped" }
            let deleted = try await api.call(.DELETE, "/v1/flows/paced")
            #expect(deleted.status == 200)
            #expect(deleted.object?["events_in"] as? Int == 100)
            #expect(deleted.object?["events_out"] as? Int == 100)
            #expect(deleted.object?["failed"] as? Int == 0)
            #expect(try String(contentsOfFile: api.directory + "/out.jsonl", encoding: .utf8) == lines)
        }
    }

    @Test func refusalsCarryTheirStatusAndReason() async throws {
        try await ApiHarness.with { api in
            let invalid = try await api.call(.POST, "/v1/flows?id=typo", body: "connectors:\n  x: { type: metronom }\nlinks: []\n")
            #expect(invalid.status == 400)
            #expect((invalid.object?["error"] as? String)?.isEmpty == false)
            #expect((invalid.object?["details"] as? [String])?.first?.contains("typo.yaml:2:") == true)
            let broken = try await api.call(.POST, "/v1/flows?id=broken", body: "connectors:\n  x: [unclosed\n")
            #expect(broken.status == 400)
            #expect((broken.object?["details"] as? [String])?.contains { $0.contains("broken.yaml:") } == true, "\(broken.text)")
            #expect(try await api.call(.POST, "/v1/flows", body: ticking).status == 400)
            #expect(try await api.call(.POST, "/v1/flows?id=../up", body: ticking).status == 400)
            // The JSON form names the id in the body.
            let json = String(decoding: try JSONSerialization.data(withJSONObject: ["id": "j", "flow": ticking]), as: UTF8.self)
            #expect(try await api.call(.POST, "/v1/flows", body: json, type: "application/json").status == 201)
            #expect(try await api.call(.GET, "/v1/flows/j").status == 200)
            #expect(try await api.call(.POST, "/v1/flows", body: #"{"flow":"x"}"#, type: "application/json").status == 400)
            #expect(try await api.call(.POST, "/v1/flows?id=one", body: ticking).status == 201)
            let taken = try await api.call(.POST, "/v1/flows?id=one", body: ticking)
            #expect(taken.status == 409)
            #expect((taken.object?["error"] as? String)?.contains("deployed already") == true)
            let big = try await api.call(.POST, "/v1/flows?id=big", body: String(repeating: "#", count: 2 << 20))
            #expect(big.status == 413)
            #expect(big.object?["error"] != nil)
            for (method, path) in [(.GET, "/v1/flows/nobody"), (.DELETE, "/v1/flows/nobody"), (.POST, "/v1/flows/nobody/reload")] as [(NIOHTTP1Method, String)] {
                let unknown = try await api.call(method, path)
                #expect(unknown.status == 404, "\(method) \(path)")
                #expect((unknown.object?["error"] as? String)?.contains("nobody") == true, "\(unknown.text)")
            }
            #expect(try await api.call(.PATCH, "/v1/flows/nobody", body: #"{"status":"paused"}"#, type: "application/json").status == 404)
            #expect(try await api.call(.PATCH, "/v1/flows/one", body: #"{"status":"asleep"}"#, type: "application/json").status == 400)
            // Nothing refused was left deployed, and what was deployed still runs.
            let ids = try await api.call(.GET, "/v1/flows").array?.compactMap { $0["id"] as? String }
            #expect(ids == ["j", "one"])
            #expect(try await api.flow("one")["status"] as? String == "running")
        }
    }

    @Test func unknownEndpointsAndWrongMethodsAreRefused() async throws {
        try await ApiHarness.with { api in
            let missing = try await api.call(.GET, "/v2/everything")
            #expect(missing.status == 404)
            #expect(missing.object?["error"] as? String != nil)
            let cases: [(NIOHTTP1Method, String, String)] = [
                (.PUT, "/v1/flows", "GET, POST"), (.DELETE, "/v1/flows", "GET, POST"), (.POST, "/metrics", "GET"),
                (.DELETE, "/healthz", "GET"), (.GET, "/v1/reload", "POST"), (.PUT, "/v1/flows/x", "GET, PATCH, DELETE"),
                (.GET, "/v1/flows/x/reload", "POST"), (.POST, "/", "GET"),
            ]
            for (method, path, allow) in cases {
                let refused = try await api.call(method, path)
                #expect(refused.status == 405, "\(method) \(path)")
                #expect(refused.headers.first(name: "allow") == allow, "\(method) \(path)")
                #expect((refused.object?["error"] as? String)?.contains("not allowed") == true)
            }
            let page = try await api.call(.GET, "/")
            #expect(page.status == 200)
            #expect(page.headers.first(name: "content-type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("<table"))
        }
    }

    /// A flow that fails makes `/readyz` answer 503 naming it; `/healthz` stays 200.
    @Test func readinessNamesTheFlowsThatFailed() async throws {
        try await ApiHarness.with { api in
            #expect(try await api.call(.POST, "/v1/flows?id=fine", body: ticking).status == 201)
            #expect(try await api.call(.POST, "/v1/flows?id=doomed", body: """
                connectors:
                  in: { type: file, config: { path: does-not-exist.jsonl } }
                  out: { type: blackhole }
                links: [in -> out]
                """).status == 201)
            try await api.waitUntil("the flow to fail") { try await api.flow("doomed")["status"] as? String == "failed" }
            let ready = try await api.call(.GET, "/readyz")
            #expect(ready.status == 503)
            let details = ready.object?["details"] as? [String] ?? []
            #expect(details.count == 1)
            #expect(details.first?.hasPrefix("doomed: ") == true, "\(details)")
            #expect(details.first?.contains("does-not-exist.jsonl") == true, "\(details)")
            #expect(try await api.call(.GET, "/healthz").status == 200)
            #expect((try await api.flow("doomed")["error"] as? String)?.contains("does-not-exist.jsonl") == true)
            #expect(try await api.call(.DELETE, "/v1/flows/doomed").status == 200)
            #expect(try await api.call(.GET, "/readyz").status == 200)
        }
    }
}

typealias NIOHTTP1Method = NIOHTTP1.HTTPMethod
