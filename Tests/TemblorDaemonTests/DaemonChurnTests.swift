import Foundation
import Testing
import TemblorDaemon

/// Flows deployed and deleted over and over beside running ones: the others go on untouched.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DaemonChurnTests {
    let ticking = """
        connectors:
          tick: { type: metronome, config: { interval_ms: 5 } }
          sink: { type: blackhole }
        links: [tick -> sink]
        """

    @Test func twentyDeployDeleteCyclesLeaveTheOtherFlowsUntouched() async throws {
        try await ApiHarness.with { api in
            let steady = ["a", "b", "c"]
            for id in steady { #expect(try await api.call(.POST, "/v1/flows?id=\(id)", body: ticking).status == 201) }
            var before: [String: [String: Any]] = [:]
            for id in steady { before[id] = try await api.flow(id) }
            for cycle in 1...20 {
                let created = try await api.call(.POST, "/v1/flows?id=churn", body: ticking)
                #expect(created.status == 201, "cycle \(cycle): \(created.text)")
                if cycle.isMultiple(of: 5) {
                    try await api.waitUntil("churn events") { (try await api.flow("churn")["events_in"] as? Int ?? 0) > 0 }
                }
                let deleted = try await api.call(.DELETE, "/v1/flows/churn")
                #expect(deleted.status == 200, "cycle \(cycle): \(deleted.text)")
                #expect(deleted.object?["events_in"] as? Int == deleted.object?["events_out"] as? Int)
                #expect(deleted.object?["failed"] as? Int == 0)
            }
            #expect(try await api.call(.GET, "/v1/flows").array?.compactMap { $0["id"] as? String } == steady)
            for id in steady {
                let now = try await api.flow(id)
                #expect(now["status"] as? String == "running", "\(id)")
                #expect(now["started_at"] as? Double == before[id]?["started_at"] as? Double, "\(id) was restarted")
                #expect((now["events_in"] as? Int ?? 0) > (before[id]?["events_in"] as? Int ?? 0), "\(id) stopped producing")
                #expect(now["failed"] as? Int == 0)
            }
            let metrics = try PrometheusText(try await api.call(.GET, "/metrics").text)
            #expect(!metrics.samples.contains { $0.labels["flow"] == "churn" })
            for id in steady { #expect(metrics.sum("temblor_events_total", ["flow": id, "node": "tick"]) > 0) }
            #expect(metrics.values("temblor_flows", ["status": "running"]) == [3])
        }
    }
}
