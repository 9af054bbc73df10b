import Testing
import TemblorCodecs
import TemblorTestSupport
import TemblorValue

@Suite struct DecompressProcessorTests {
    static func run(_ bytes: [UInt8], cut: ProcessorHarness.Cut, random: inout SplitMix64) -> (bytes: [UInt8], errors: [CodecError]) {
        let result = ProcessorHarness.run(DecompressPreprocessor(), bytes, cut: cut, random: &random)
        return (result.frames.flatMap { $0 }, result.errors)
    }

    @Test func detectsGzipAndZlib() throws {
        var random = SplitMix64(seed: 51)
        for cut in ProcessorHarness.cuts {
            let gz = Self.run(GzipProcessorTests.jsonLinesGz + GzipProcessorTests.thirdGz, cut: cut, random: &random)
            #expect(gz.errors.isEmpty)
            #expect(gz.bytes == Array("{\"a\":1}\n{\"b\":2}\nthird\n".utf8), "\(cut)")
            let z = Self.run(ZlibProcessorTests.fixture, cut: cut, random: &random)
            #expect(z.errors.isEmpty)
            #expect(z.bytes == Array("zlib says hi\n".utf8), "\(cut)")
        }
    }

    @Test func roundTripsEitherFormat() throws {
        var random = SplitMix64(seed: 0xDEC0)
        for _ in 0..<30 {
            let frames = (0..<random.int(in: 1...10)).map { _ in random.compressible(random.int(in: 0...3000)) }
            let name = random.bool() ? "gzip" : "zlib"
            var post = try CodecRegistry.standard.makePostprocessor(name, config: ["level": .int(Int64(random.int(in: 0...9)))])
            let compressed = try ProcessorHarness.write(&post, frames)
            for cut in ProcessorHarness.cuts {
                let result = Self.run(compressed, cut: cut, random: &random)
                #expect(result.errors.isEmpty)
                #expect(result.bytes == frames.flatMap { $0 }, "\(name), \(cut)")
            }
        }
    }

    /// Anything that is neither gzip nor zlib passes unchanged, chunks as they came.
    @Test func passesOtherBytesThrough() throws {
        var random = SplitMix64(seed: 52)
        for _ in 0..<30 {
            var data = random.bytes(random.int(in: 1...500))
            if data[0] == 0x1F || data[0] == 0x78 { data[0] = 0x20 }
            for cut in ProcessorHarness.cuts {
                let result = Self.run(data, cut: cut, random: &random)
                #expect(result.errors.isEmpty)
                #expect(result.bytes == data, "\(cut)")
            }
        }
        // Too short to be compressed.
        #expect(Self.run([0x1F], cut: .whole, random: &random).bytes == [0x1F])
        // After the first two bytes, chunks are passed on as they are, without copying.
        var processor = DecompressPreprocessor()
        var frames: [ArraySlice<UInt8>] = []
        try processor.process(Array("pl".utf8)[...], into: &frames)
        let chunk = Array("ain text\n".utf8)[2...]
        try processor.process(chunk, into: &frames)
        #expect(frames.last?.startIndex == 2)
        #expect(ProcessorHarness.text(frames.map { Array($0) }) == ["pl", "n text\n"])
    }

    @Test func corruptAndTruncatedStreamsNameTheDetectedFormat() {
        var random = SplitMix64(seed: 53)
        var corrupt = GzipProcessorTests.thirdGz
        corrupt[10] = 0x07
        #expect(Self.run(corrupt, cut: .oneByte, random: &random).errors.first
            == .syntax(codec: "decompress", message: "gzip data is invalid or corrupt", offset: 11))
        #expect(Self.run(Array(ZlibProcessorTests.fixture.dropLast()), cut: .whole, random: &random).errors
            == [.truncated(processor: "decompress", message: "zlib data ended before the end of its compressed stream")])
        // Later members must be of the detected format.
        #expect(Self.run(GzipProcessorTests.thirdGz + ZlibProcessorTests.fixture, cut: .whole, random: &random).errors.first
            == .syntax(codec: "decompress", message: "not gzip data: expected magic bytes 1f 8b, found 78 9c", offset: 26))
    }

    @Test func badConfiguration() {
        #expect(throws: CodecError.badConfig(name: "decompress", key: "format", message: "unknown key; known keys: max_output")) {
            _ = try CodecRegistry.standard.makePreprocessor("decompress", config: ["format": "gzip"])
        }
        #expect(throws: CodecError.badConfig(name: "decompress", key: "max_output", message: "expected an integer in 0...\(Int.max), got -1")) {
            _ = try CodecRegistry.standard.makePreprocessor("decompress", config: ["max_output": -1])
        }
    }
}
