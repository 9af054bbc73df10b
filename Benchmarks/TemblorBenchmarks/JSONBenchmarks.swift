import TemblorCodecs
import TemblorValue

/// JSON codec measurements on a JSON-lines file.
enum JSONBenchmarks {
    /// A cheap summary that depends on every decoded value, so that no work can be skipped.
    static func weight(_ value: Value) -> Int {
        switch value {
        case .array(let a): return a.count &+ (a.first.map(weight) ?? 0)
        case .object(let o): return o.count &+ (o.last.map { weight($0.value) } ?? 0)
        case .string(let s): return s.utf8.count
        default: return 1
        }
    }

    /// Decodes every line of the file held in memory, as the reference host's `decode` mode.
    static func decode(_ file: BenchmarkFile) throws -> BenchmarkResult {
        var codec = JSONCodec()
        var events = 0
        var checksum = 0
        let start = monotonicSeconds()
        try file.forEachLine { line in
            // The file buffer ends with simdjson's padding, so every line is followed by readable bytes.
            let value = try codec.decode(padded: line)
            checksum &+= weight(value)
            events += 1
        }
        let seconds = monotonicSeconds() - start
        return BenchmarkResult(events: events, bytes: file.count, seconds: seconds, checksum: checksum)
    }

    /// Parses every line without building values: the parser's share of `decode`.
    static func parse(_ file: BenchmarkFile) throws -> BenchmarkResult {
        var codec = JSONCodec()
        var events = 0
        let start = monotonicSeconds()
        try file.forEachLine { line in
            try codec.validate(padded: line)
            events += 1
        }
        let seconds = monotonicSeconds() - start
        return BenchmarkResult(events: events, bytes: file.count, seconds: seconds, checksum: events)
    }

    /// Feeds the file in 64 KiB chunks through the `separate` preprocessor, then decodes each frame:
    /// the path a file or TCP source takes.
    static func decodeStream(_ file: BenchmarkFile) throws -> BenchmarkResult {
        var codec = JSONCodec()
        var separate = try CodecRegistry.standard.makePreprocessor("separate")
        var frames: [ArraySlice<UInt8>] = []
        var events = 0
        var checksum = 0
        let chunkSize = 1 << 16
        // Chunks are copied out of the file, as a read(2) into a fresh buffer would deliver them.
        let chunks: [[UInt8]] = stride(from: 0, to: file.count, by: chunkSize).map {
            Array(file.bytes[$0..<min($0 + chunkSize, file.count)])
        }
        let start = monotonicSeconds()
        for chunk in chunks {
            frames.removeAll(keepingCapacity: true)
            try separate.process(chunk[...], into: &frames)
            for frame in frames {
                checksum &+= weight(try codec.decode(frame))
                events += 1
            }
        }
        frames.removeAll(keepingCapacity: true)
        try separate.finish(into: &frames)
        for frame in frames {
            checksum &+= weight(try codec.decode(frame))
            events += 1
        }
        let seconds = monotonicSeconds() - start
        return BenchmarkResult(events: events, bytes: file.count, seconds: seconds, checksum: checksum)
    }

    /// Decodes batches of 10,000 lines untimed, then times encoding each batch back to JSON.
    static func encode(_ file: BenchmarkFile) throws -> BenchmarkResult {
        var codec = JSONCodec()
        var batch: [Value] = []
        batch.reserveCapacity(10_000)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        var events = 0
        var bytes = 0
        var seconds = 0.0
        func flush() throws {
            let start = monotonicSeconds()
            for value in batch {
                buffer.removeAll(keepingCapacity: true)
                try codec.encode(value, into: &buffer)
                bytes += buffer.count + 1
            }
            seconds += monotonicSeconds() - start
            events += batch.count
            batch.removeAll(keepingCapacity: true)
        }
        try file.forEachLine { line in
            batch.append(try codec.decode(padded: line))
            if batch.count == 10_000 { try flush() }
        }
        try flush()
        return BenchmarkResult(events: events, bytes: bytes, seconds: seconds, checksum: bytes)
    }
}
