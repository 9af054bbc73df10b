import Foundation
import Testing
import TemblorDaemon

/// `GET /metrics` read line by line as a Prometheus server reads it, its values checked against
/// the counts the API reports.
@Suite(.serialized, .timeLimit(.minutes(2))) struct DaemonMetricsTests {
    @Test func metricsAreValidPrometheusTextAndMatchTheCounts() async throws {
        try await ApiHarness.with { api in
            let lines = (1...7).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n"
            try lines.write(toFile: api.directory + "/in.jsonl", atomically: true, encoding: .utf8)
            try """
                return {
                  api = 1,
                  on_event = function(ctx, event, meta)
                    ctx.state.n = (ctx.state.n or 0) + 1
                    ctx:metric("seen", ctx.state.n)
                    ctx:emit(event, meta)
                  end,
                }
                """.write(toFile: api.directory + "/count.lua", atomically: true, encoding: .utf8)
            #expect(try await api.call(.POST, "/v1/flows?id=copy", body: """
                connectors:
                  in: { type: file, config: { path: in.jsonl } }
                  count: { type: lua, plugin: count.lua }
                  out: { type: file, config: { path: out.jsonl, mode: truncate } }
                links: [in -> count, count -> out]
                """).status == 201)
            #expect(try await api.call(.POST, "/v1/flows?id=ticks", body: """
                connectors:
                  tick: { type: metronome, config: { interval_ms: 5 } }
                  sink: { type: blackhole }
                links: [tick -> sink]
                """).status == 201)
            try await api.waitUntil("the copy") { try await api.flow("copy")["status"] as? String == "stopped" }

            let answer = try await api.call(.GET, "/metrics")
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let metrics = try PrometheusText(answer.text)
            #expect(metrics.types["temblor_events_total"] == "counter")
            #expect(metrics.types["temblor_latency_seconds"] == "histogram")
            #expect(metrics.types["temblor_queue_depth"] == "gauge")
            #expect(metrics.types["temblor_lua_memory_bytes"] == "gauge")
            #expect(metrics.types["temblor_flows"] == "gauge")

            // Every series of a flow carries its `flow` label, except the daemon's own gauge.
            for sample in metrics.samples where sample.name != "temblor_flows" {
                #expect(["copy", "ticks"].contains(sample.labels["flow"]), "\(sample)")
            }
            // The port counters equal the counts of the flow's detail.
            let detail = try await api.flow("copy")
            for port in detail["ports"] as? [[String: Any]] ?? [] {
                let node = port["node"] as? String ?? "", name = port["port"] as? String ?? ""
                let labels = ["flow": "copy", "node": node, "port": name, "direction": port["direction"] as? String ?? ""]
                #expect(metrics.values("temblor_events_total", labels) == [Double(port["events"] as? Int ?? -1)], "\(labels)")
            }
            #expect(metrics.sum("temblor_events_total", ["flow": "copy", "node": "in", "port": "out"]) == 7)
            #expect(metrics.sum("temblor_events_total", ["flow": "copy", "node": "out", "port": "in"]) == 7)
            #expect(metrics.values("temblor_acks_total", ["flow": "copy", "source": "in"]) == [7])
            #expect(metrics.values("temblor_acks_total", ["flow": "copy", "source": "count"]) == [7])
            #expect(metrics.sum("temblor_fails_total", ["flow": "copy"]) == 0)
            // One latency sample per delivered run; the +Inf bucket holds them all.
            let count = metrics.sum("temblor_latency_seconds_count", ["flow": "copy"])
            #expect(count >= 1 && count <= 7)
            #expect(metrics.values("temblor_latency_seconds_bucket", ["flow": "copy", "le": "+Inf"]).reduce(0, +) == count)
            #expect(metrics.sum("temblor_latency_seconds_sum", ["flow": "copy"]) > 0)
            // The plugin's gauge, its memory, and the flows by status.
            #expect(metrics.values("temblor_plugin_metric", ["flow": "copy", "name": "seen"]) == [7], "\(metrics.samples.filter { $0.name == "temblor_plugin_metric" })")
            #expect(metrics.sum("temblor_lua_memory_bytes", ["flow": "copy"]) > 0)
            #expect(metrics.values("temblor_flows", ["status": "stopped"]) == [1])
            #expect(metrics.values("temblor_flows", ["status": "running"]) == [1])
            #expect(metrics.sum("temblor_events_total", ["flow": "ticks", "node": "tick"]) > 0)

            // A deleted flow's series go with it.
            #expect(try await api.call(.DELETE, "/v1/flows/copy").status == 200)
            let after = try PrometheusText(try await api.call(.GET, "/metrics").text)
            #expect(!after.samples.contains { $0.labels["flow"] == "copy" })
            #expect(after.sum("temblor_events_total", ["flow": "ticks", "node": "tick"]) > 0)
        }
    }

    @Test func theReaderRefusesWhatPrometheusWouldRefuse() throws {
        #expect(throws: PrometheusText.Malformed.self) { try PrometheusText("a_total 1\n") }
        #expect(throws: PrometheusText.Malformed.self) { try PrometheusText("# TYPE a counter\na{x=1} 1\n") }
        #expect(throws: PrometheusText.Malformed.self) { try PrometheusText("# TYPE a counter\na{x=\"1\"} one\n") }
        #expect(throws: PrometheusText.Malformed.self) { try PrometheusText("# TYPE a counter\n# TYPE a gauge\n") }
        let good = try PrometheusText("# HELP a things\n# TYPE a counter\na{x=\"q\\\"\",y=\"2\"} 3 1700000000\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n")
        #expect(good.values("a", ["x": "q\""]) == [3])
        #expect(good.family(of: "h_bucket") == "h")
    }
}
