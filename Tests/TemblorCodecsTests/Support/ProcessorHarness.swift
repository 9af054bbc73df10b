import TemblorTestSupport
import TemblorCodecs

/// Random data shaped for processor tests.
extension SplitMix64 {
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func bool() -> Bool {
        next() & 1 == 1
    }

    /// `count` bytes, drawn from `alphabet` when one is given.
    mutating func bytes(_ count: Int, from alphabet: [UInt8]? = nil) -> [UInt8] {
        (0..<count).map { _ in
            if let alphabet { return alphabet[int(in: 0...(alphabet.count - 1))] }
            return UInt8(truncatingIfNeeded: next())
        }
    }

    /// Compressible bytes: runs and repeats from a small alphabet, with some noise.
    mutating func compressible(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            switch int(in: 0...2) {
            case 0: out.append(contentsOf: repeatElement(UInt8(int(in: 97...102)), count: int(in: 1...40)))
            case 1: out.append(contentsOf: bytes(int(in: 1...20), from: Array("{\"key\": 12,}\n".utf8)))
            default: out.append(contentsOf: bytes(int(in: 1...8)))
            }
        }
        return Array(out.prefix(count))
    }
}

/// Feeds processors the way a connector does: in chunks cut anywhere.
enum ProcessorHarness {
    /// How to cut a stream into chunks.
    enum Cut: CustomStringConvertible {
        case whole, oneByte, random(maxChunk: Int)

        var description: String {
            switch self {
            case .whole: "whole"
            case .oneByte: "one byte"
            case .random(let maxChunk): "random up to \(maxChunk)"
            }
        }
    }

    /// The cuts every property test tries.
    static let cuts: [Cut] = [.whole, .oneByte, .random(maxChunk: 3), .random(maxChunk: 17), .random(maxChunk: 600)]

    /// `bytes` cut into slices of one array (so slices start at non-zero indices, as real ones do).
    static func chunks(_ bytes: [UInt8], cut: Cut, random: inout SplitMix64) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        while start < bytes.count {
            let length: Int
            switch cut {
            case .whole: length = bytes.count
            case .oneByte: length = 1
            case .random(let maxChunk): length = random.int(in: 1...maxChunk)
            }
            let end = min(bytes.count, start + length)
            chunks.append(bytes[start..<end])
            start = end
        }
        return chunks
    }

    /// Feeds every chunk, then finishes, carrying on after errors; returns every frame and error.
    static func run<P: Preprocessor>(_ processor: inout P, _ chunks: [ArraySlice<UInt8>]) -> (frames: [[UInt8]], errors: [CodecError]) {
        var frames: [[UInt8]] = []
        var errors: [CodecError] = []
        var out: [ArraySlice<UInt8>] = []
        for chunk in chunks {
            out.removeAll()
            do throws(CodecError) {
                try processor.process(chunk, into: &out)
            } catch {
                errors.append(error)
            }
            frames.append(contentsOf: out.map { Array($0) })
        }
        out.removeAll()
        do throws(CodecError) {
            try processor.finish(into: &out)
        } catch {
            errors.append(error)
        }
        frames.append(contentsOf: out.map { Array($0) })
        return (frames, errors)
    }

    /// Feeds `bytes` cut by `cut` and returns the frames and errors.
    static func run<P: Preprocessor>(
        _ processor: P, _ bytes: [UInt8], cut: Cut, random: inout SplitMix64
    ) -> (frames: [[UInt8]], errors: [CodecError]) {
        var processor = processor
        return run(&processor, chunks(bytes, cut: cut, random: &random))
    }

    /// Runs frames through a postprocessor and finishes it; returns the bytes it wrote.
    static func write<P: Postprocessor>(_ processor: inout P, _ frames: [[UInt8]]) throws(CodecError) -> [UInt8] {
        var out: [ArraySlice<UInt8>] = []
        for frame in frames {
            try processor.process(frame[...], into: &out)
        }
        try processor.finish(into: &out)
        return out.flatMap { $0 }
    }

    /// Frames shown as text, for readable comparisons.
    static func text(_ frames: [[UInt8]]) -> [String] {
        frames.map { String(decoding: $0, as: UTF8.self) }
    }
}
