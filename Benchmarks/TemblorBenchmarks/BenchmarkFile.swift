#if canImport(Glibc)
import Glibc
#endif

/// A whole input file in memory, followed by simdjson's padding, as the reference host loads it.
struct BenchmarkFile {
    var bytes: [UInt8]
    /// The file's length; `bytes` has padding after it.
    var count: Int

    struct ReadError: Error, CustomStringConvertible {
        var path: String
        var description: String { "cannot read \(path)" }
    }

    static func load(_ path: String) throws -> BenchmarkFile {
        guard let file = fopen(path, "rb") else { throw ReadError(path: path) }
        defer { fclose(file) }
        fseek(file, 0, SEEK_END)
        let size = ftell(file)
        fseek(file, 0, SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: size + 64)
        let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, file) }
        guard read == size else { throw ReadError(path: path) }
        return BenchmarkFile(bytes: bytes, count: size)
    }

    /// Calls `body` with each non-empty line (without its newline).
    func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            let base = all.baseAddress!
            var start = 0
            while start < count {
                let rest = count - start
                let end: Int
                if let nl = memchr(base + start, 0x0A, rest) {
                    end = base.distance(to: UnsafeRawPointer(nl))
                } else {
                    end = count
                }
                if end > start {
                    try body(UnsafeRawBufferPointer(start: base + start, count: end - start))
                }
                start = end + 1
            }
        }
    }
}

/// One measurement in the reference host's output format.
struct BenchmarkResult {
    var events: Int
    var bytes: Int
    var seconds: Double
    var checksum: Int

    func line(mode: String) -> String {
        let ns = seconds * 1e9 / Double(max(events, 1))
        return "mode=\(mode) events=\(events) seconds=\(fixed(seconds, 3)) events_per_s=\(fixed(Double(events) / seconds, 0)) "
            + "mb_per_s=\(fixed(Double(bytes) / seconds / 1e6, 1)) ns_per_event=\(fixed(ns, 1)) result=\(checksum)"
    }

    private func fixed(_ x: Double, _ digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = buffer.withUnsafeMutableBufferPointer { ptr in
            withVaList([x]) { vsnprintf(ptr.baseAddress, 64, "%.\(digits)f", $0) }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Monotonic seconds, for timing a loop.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
