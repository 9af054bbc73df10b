#if canImport(Glibc)
import Glibc
#endif
import TemblorConnectors
import TemblorRuntime

/// Whole flows run in-process, without the daemon's signal handling, so that profilers such as
/// callgrind can follow them.
enum FlowBenchmarks {
    static func run(_ path: String) async throws {
        let flow = try FlowParser.parse(contentsOf: path)
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let runner = FlowRunner(
            flow: flow, directory: directory, connectors: .standard, operators: OperatorRegistry.standard.withLua(directory: directory))
        let start = ContinuousClock.now
        let report = try await runner.run()
        let elapsed = ContinuousClock.now - start
        print("mode=flow produced=\(report.produced) acked=\(report.acked) failed=\(report.failed) seconds=\(elapsed)")
    }
}
