import Testing
import TemblorCodecs
import TemblorTestSupport
import TemblorValue

@Suite struct ZlibProcessorTests {
    /// `zlib.compress(b"zlib says hi\n")` in Python.
    static let fixture: [UInt8] = [
        0x78, 0x9c, 0xab, 0xca, 0xc9, 0x4c, 0x52, 0x28, 0x4e, 0xac, 0x2c, 0x56, 0xc8, 0xc8, 0xe4, 0x02,
        0x00, 0x22, 0xae, 0x04, 0x8d,
    ]

    static func inflate(_ bytes: [UInt8], cut: ProcessorHarness.Cut, random: inout SplitMix64, maxOutput: Int = 0) -> (bytes: [UInt8], errors: [CodecError]) {
        let result = ProcessorHarness.run(ZlibPreprocessor(maxOutput: maxOutput), bytes, cut: cut, random: &random)
        return (result.frames.flatMap { $0 }, result.errors)
    }

    @Test func decodesWhatZlibWrites() {
        var random = SplitMix64(seed: 41)
        for cut in ProcessorHarness.cuts {
            let result = Self.inflate(Self.fixture + Self.fixture, cut: cut, random: &random)
            #expect(result.errors.isEmpty)
            #expect(result.bytes == Array("zlib says hi\nzlib says hi\n".utf8), "\(cut)")
        }
    }

    @Test func roundTripsRandomDataCutAnywhere() throws {
        var random = SplitMix64(seed: 0x2119)
        for round in 0..<40 {
            let frames = (0..<random.int(in: 0...20)).map { _ in random.compressible(random.int(in: 0...2000)) }
            let level = random.int(in: 0...9)
            var post = try ZlibPostprocessor(config: CodecConfig(name: "zlib", value: ["level": .int(Int64(level))]))
            let compressed = try ProcessorHarness.write(&post, frames)
            #expect(compressed.first == 0x78)
            for cut in ProcessorHarness.cuts {
                let result = Self.inflate(compressed, cut: cut, random: &random)
                #expect(result.errors.isEmpty)
                #expect(result.bytes == frames.flatMap { $0 }, "round \(round), level \(level), \(cut)")
            }
        }
    }

    @Test func badHeaderChecksumAndTruncation() {
        var random = SplitMix64(seed: 42)
        for cut in ProcessorHarness.cuts {
            #expect(Self.inflate(Array("{\"a\":1}".utf8), cut: cut, random: &random).errors.first
                == .syntax(codec: "zlib", message: "not zlib data: 7b 22 is not a zlib header", offset: 0))
            var corrupt = Self.fixture
            corrupt[corrupt.count - 1] ^= 1  // Adler-32
            let bad = Self.inflate(Self.fixture + corrupt, cut: cut, random: &random)
            #expect(bad.bytes == Array("zlib says hi\nzlib says hi\n".utf8), "\(cut)")
            #expect(bad.errors.first == .syntax(codec: "zlib", message: "zlib data is invalid or corrupt", offset: 42), "\(cut)")
            let short = Self.inflate(Array(Self.fixture.dropLast(2)), cut: cut, random: &random)
            #expect(short.errors == [.truncated(processor: "zlib", message: "zlib data ended before the end of its compressed stream")])
        }
    }

    @Test func decompressionBombStopsAtMaxOutput() throws {
        var post = try ZlibPostprocessor(level: 9)
        let bomb = try ProcessorHarness.write(&post, [Array(repeating: 0x41, count: 3_000_000)])
        var random = SplitMix64(seed: 43)
        let result = Self.inflate(bomb, cut: .random(maxChunk: 300), random: &random, maxOutput: 65_537)
        #expect(result.bytes == Array(repeating: 0x41, count: 65_537))
        #expect(!result.errors.isEmpty && result.errors.allSatisfy { $0 == .outputTooLarge(processor: "zlib", limit: 65_537) })
    }

    @Test func badConfiguration() {
        #expect(throws: CodecError.badConfig(name: "zlib", key: "max_ouput", message: "unknown key; known keys: max_output")) {
            _ = try CodecRegistry.standard.makePreprocessor("zlib", config: ["max_ouput": 1])
        }
        #expect(throws: CodecError.badConfig(name: "zlib", key: "level", message: "expected an integer in 0...9, got \"fast\"")) {
            _ = try CodecRegistry.standard.makePostprocessor("zlib", config: ["level": "fast"])
        }
    }
}
