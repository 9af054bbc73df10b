#if canImport(Glibc)
import Glibc
#endif
import TemblorRuntime
import TemblorValue

/// `bench` (Tremor's blaster): replays a file's lines as events, `iterations` times or for
/// `duration_s`, at full speed or at `rate` events per second, then ends the run.
public struct BenchConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(name: "bench", hasSource: true, hasSink: false, defaultCodec: "json", defaultPreprocessors: ["separate"]) {
            config throws(ConnectorConfigError) in
            _ = try Self.settings(config)
        }
    }

    struct Settings {
        var path: String
        var iterations: Int?
        var durationSeconds: Double?
        var rate: Double?
    }

    static func settings(_ config: Value) throws(ConnectorConfigError) -> Settings {
        let reader = try ConfigReader(config, allowed: ["path", "iterations", "duration_s", "rate"])
        let settings = Settings(
            path: try reader.requiredString("path"),
            iterations: try reader.int("iterations", in: 1...Int.max),
            durationSeconds: try reader.double("duration_s", above: 0),
            rate: try reader.double("rate", above: 0))
        return settings
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        var settings = try Self.settings(definition.config)
        settings.path = resolve(settings.path, in: directory)
        return ConnectorParts(source: BenchSource(settings: settings))
    }
}

struct BenchSource: Source {
    let settings: BenchConnector.Settings

    func run(_ context: SourceContext) async throws {
        let file = try FileDescriptor.open(settings.path, flags: O_RDONLY)
        var data = try file.readAll(path: settings.path)
        file.close()
        if data.last != UInt8(ascii: "\n") { data.append(UInt8(ascii: "\n")) }
        // Line boundaries only matter when pacing events one by one.
        let lines = settings.rate == nil ? [] : Self.lineRanges(data)
        // Without a duration, one pass by default; with one, as many passes as fit.
        let iterations = settings.iterations ?? (settings.durationSeconds == nil ? 1 : Int.max)
        let deadline = settings.durationSeconds.map { MonotonicClock.now() + UInt64($0 * 1e9) }
        let interval = settings.rate.map { 1e9 / $0 }
        var stream = try context.openStream(meta: ["path": .string(settings.path)])
        let start = MonotonicClock.now()
        var sent = 0.0
        iterationLoop: for _ in 0..<iterations {
            if let interval {
                for line in lines {
                    if Task.isCancelled { break iterationLoop }
                    if let deadline, MonotonicClock.now() >= deadline { break iterationLoop }
                    let due = start + UInt64(sent * interval)
                    let now = MonotonicClock.now()
                    if due > now {
                        await stream.flush()
                        try? await Task.sleep(for: .nanoseconds(Int(due - now)))
                    }
                    await stream.receive(data[line])
                    sent += 1
                }
            } else {
                // Full speed: hand the preprocessors large chunks, as a file read would.
                var offset = 0
                while offset < data.count {
                    if Task.isCancelled { break iterationLoop }
                    if let deadline, MonotonicClock.now() >= deadline { break iterationLoop }
                    let end = min(offset + (1 << 16), data.count)
                    await stream.receive(data[offset..<end])
                    offset = end
                }
            }
        }
        await stream.end()
    }

    /// Each line with its newline, so that `separate` frames it.
    static func lineRanges(_ data: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        for (i, byte) in data.enumerated() where byte == UInt8(ascii: "\n") {
            ranges.append(start..<(i + 1))
            start = i + 1
        }
        return ranges
    }
}
