import Histogram
import TemblorRuntime
import TemblorValue

/// `blackhole`: acks every event and records its end-to-end latency (now minus its ingest time)
/// in an HDR histogram; at the end it prints throughput and latency percentiles. The sink of
/// every benchmark flow.
public struct BlackholeConnector: ConnectorFactory {
    /// Where the report goes; standard output by default, a closure in tests.
    let report: @Sendable (String) -> Void

    public init(report: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.report = report
    }

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "blackhole", hasSource: false, hasSink: true) { config throws(ConnectorConfigError) in
            _ = try Self.significantFigures(config)
        }
    }

    static func significantFigures(_ config: Value) throws(ConnectorConfigError) -> Int {
        try ConfigReader(config, allowed: ["significant_figures"]).int("significant_figures", in: 1...5) ?? 2
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        ConnectorParts(sink: BlackholeSink(significantFigures: try Self.significantFigures(definition.config), report: report))
    }
}

struct BlackholeSink: Sink {
    let significantFigures: Int
    let report: @Sendable (String) -> Void

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        let digits: SignificantDigits =
            switch significantFigures {
            case 1: .one
            case 2: .two
            case 3: .three
            case 4: .four
            default: .five
            }
        // Latencies in nanoseconds, up to an hour.
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: digits)
        var events = 0
        var first: UInt64 = 0
        var last: UInt64 = 0
        while let batch = await input.next() {
            let now = Event.nowNs()
            if events == 0 { first = MonotonicClock.now() }
            for event in batch {
                let latency = now > event.ingestNs ? now - event.ingestNs : 0
                histogram.record(min(latency, 3_600_000_000_000))
            }
            events += batch.count
            last = MonotonicClock.now()
            context.ack(batch)
        }
        let seconds = Double(last - first) / 1e9
        var lines = ["\(context.name): \(events) events in \(Self.format(seconds, 3)) s, \(Self.format(seconds > 0 ? Double(events) / seconds : 0, 0)) events/s"]
        if events > 0 {
            let us = { (p: Double) in Self.format(Double(histogram.valueAtPercentile(p)) / 1000, 1) }
            lines.append("latency us: p50 \(us(50)) p90 \(us(90)) p99 \(us(99)) p99.9 \(us(99.9)) max \(Self.format(Double(histogram.max) / 1000, 1))")
        }
        report(lines.joined(separator: "\n"))
    }

    static func format(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (x * scale).rounded() / scale
        return digits == 0 ? String(Int(rounded)) : String(rounded)
    }
}
