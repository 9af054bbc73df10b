import Foundation
import Synchronization
import TemblorConnectors
import TemblorRuntime

/// Hot reload under load: a file of small JSON events through a Lua connector (both sides) into
/// `null`, once without reloads and once with 100 reloads of the plugin, each a new version.
/// Reports the swap time of each reload (how long the connector's events waited) and the
/// throughput of both runs, and of the worst 50 ms window of the reloading run.
enum ReloadBenchmarks {
    static func run(events: Int, reloads: Int = 100, intervalMs: Int = 20) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-reload-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = ""
        text.reserveCapacity(events * 32)
        for n in 1...events { text += #"{"n":\#(n),"level":"info"}"# + "\n" }
        try text.write(toFile: dir + "/in.jsonl", atomically: false, encoding: .utf8)
        let yaml = """
            connectors:
              in: { type: file, config: { path: in.jsonl } }
              tagger: { type: lua, plugin: tagger.lua }
              out: { type: "null" }
            links:
              - in -> tagger
              - tagger -> out
            """
        func tagger(_ version: Int) -> String {
            """
            return { api = 1,
              on_reload = function(ctx, old) old.reloads = (old.reloads or 0) + 1 return old end,
              on_event = function(ctx, event)
                ctx.state.seen = (ctx.state.seen or 0) + 1
                event.tag = \(version)
                ctx:emit(event)
              end }
            """
        }
        try tagger(0).write(toFile: dir + "/tagger.lua", atomically: false, encoding: .utf8)
        let flow = try FlowParser.parse(yaml: yaml, file: dir + "/flow.yaml")
        func runner() -> FlowRunner {
            FlowRunner(flow: flow, directory: dir, connectors: .standard, operators: OperatorRegistry.standard.withLua(directory: dir))
        }

        // Without reloads.
        let quiet = runner()
        var start = ContinuousClock.now
        let quietReport = try await quiet.run()
        let quietSeconds = seconds(ContinuousClock.now - start)

        // With reloads, sampling the acks every 10 ms.
        let busy = runner()
        let busyStart = ContinuousClock.now
        start = busyStart
        let run = Task { try await busy.run() }
        let samples = Samples()
        let sampler = Task {
            while !Task.isCancelled {
                let acked = busy.router.total.acked
                samples.points.withLock { $0.append((seconds(ContinuousClock.now - busyStart), acked)) }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        while await busy.reloader.directories.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
        var swaps: [Int] = []
        var failed = 0
        for version in 1...reloads {
            try tagger(version).write(toFile: dir + "/tagger.lua", atomically: true, encoding: .utf8)
            for outcome in await busy.reloader.reload() {
                if case .swapped(_, _, let micros) = outcome.result { swaps.append(micros) } else { failed += 1 }
            }
            try await Task.sleep(for: .milliseconds(intervalMs))
        }
        let reloadsEnded = seconds(ContinuousClock.now - start)
        let busyReport = try await run.value
        let busySeconds = seconds(ContinuousClock.now - start)
        sampler.cancel()

        // The worst 50 ms window while reloads ran, against the whole quiet run's rate.
        let points = samples.points.withLock { $0 }
        var worst = Double.infinity
        for (index, point) in points.enumerated() where point.0 <= reloadsEnded {
            guard let later = points[index...].first(where: { $0.0 >= point.0 + 0.05 }) else { break }
            worst = min(worst, Double(later.1 - point.1) / (later.0 - point.0))
        }
        swaps.sort()
        func percentile(_ p: Double) -> Int { swaps.isEmpty ? 0 : swaps[min(swaps.count - 1, Int(Double(swaps.count) * p))] }
        let quietRate = Double(quietReport.acked) / quietSeconds
        let busyRate = Double(busyReport.acked) / busySeconds
        print(
            "mode=reload events=\(events) reloads=\(swaps.count) failed_reloads=\(failed) swap_p50_us=\(percentile(0.5)) swap_p99_us=\(percentile(0.99)) swap_max_us=\(swaps.last ?? 0)"
        )
        print(
            String(
                format: "mode=reload quiet_events_per_s=%.0f reloading_events_per_s=%.0f ratio=%.3f worst_50ms_events_per_s=%.0f worst_ratio=%.3f reloads_during_run_s=%.2f",
                quietRate, busyRate, busyRate / quietRate, worst, worst / quietRate, reloadsEnded))
        if busyReport.acked != quietReport.acked || busyReport.failed != 0 {
            print("mode=reload LOSS: quiet acked \(quietReport.acked), reloading acked \(busyReport.acked), failed \(busyReport.failed)")
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The ack counts sampled while the reloading run goes on.
private final class Samples: Sendable {
    let points = Mutex<[(Double, Int)]>([])
}
