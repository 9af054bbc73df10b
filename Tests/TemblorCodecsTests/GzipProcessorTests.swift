import Testing
import TemblorCodecs
import TemblorTestSupport
import TemblorValue

@Suite struct GzipProcessorTests {
    /// `printf '{"a":1}\n{"b":2}\n' | gzip -n -9`
    static let jsonLinesGz: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xab, 0x56, 0x4a, 0x54, 0xb2, 0x32,
        0xac, 0xe5, 0xaa, 0x56, 0x4a, 0x52, 0xb2, 0x32, 0xaa, 0xe5, 0x02, 0x00, 0xc8, 0xb2, 0xce, 0x9f,
        0x10, 0x00, 0x00, 0x00,
    ]
    /// `printf 'third\n' | gzip -n`
    static let thirdGz: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x2b, 0xc9, 0xc8, 0x2c, 0x4a, 0xe1,
        0x02, 0x00, 0xf2, 0x91, 0x2c, 0x78, 0x06, 0x00, 0x00, 0x00,
    ]

    static func gzip(_ frames: [[UInt8]], level: Int = 6, sync: Bool = false) throws -> [UInt8] {
        var post = try GzipPostprocessor(level: level, syncFlush: sync)
        return try ProcessorHarness.write(&post, frames)
    }

    static func gunzip(_ bytes: [UInt8], cut: ProcessorHarness.Cut, random: inout SplitMix64, maxOutput: Int = GzipPreprocessor.defaultMaxOutput) -> (bytes: [UInt8], errors: [CodecError]) {
        let result = ProcessorHarness.run(GzipPreprocessor(maxOutput: maxOutput), bytes, cut: cut, random: &random)
        return (result.frames.flatMap { $0 }, result.errors)
    }

    @Test func decodesWhatTheGzipToolWrites() {
        var random = SplitMix64(seed: 21)
        for cut in ProcessorHarness.cuts {
            let result = Self.gunzip(Self.jsonLinesGz, cut: cut, random: &random)
            #expect(result.errors.isEmpty)
            #expect(result.bytes == Array("{\"a\":1}\n{\"b\":2}\n".utf8), "\(cut)")
        }
    }

    /// `cat a.gz b.gz` is one gzip file holding both (RFC 1952 members).
    @Test func decodesConcatenatedMembers() throws {
        var random = SplitMix64(seed: 22)
        let ours = try Self.gzip([Array("fourth\n".utf8)])
        let empty = try Self.gzip([])
        for cut in ProcessorHarness.cuts {
            let result = Self.gunzip(Self.jsonLinesGz + Self.thirdGz + empty + ours, cut: cut, random: &random)
            #expect(result.errors.isEmpty)
            #expect(result.bytes == Array("{\"a\":1}\n{\"b\":2}\nthird\nfourth\n".utf8), "\(cut)")
        }
    }

    @Test func roundTripsRandomDataCutAnywhere() throws {
        var random = SplitMix64(seed: 0x6219)
        for round in 0..<40 {
            let data = random.compressible(random.int(in: 0...20_000))
            var frames: [[UInt8]] = []
            var rest = data[...]
            while !rest.isEmpty {
                let n = min(rest.count, random.int(in: 0...3000))
                frames.append(Array(rest.prefix(n)))
                rest = rest.dropFirst(n)
            }
            let level = random.int(in: 0...9)
            let sync = random.bool()
            let compressed = try Self.gzip(frames, level: level, sync: sync)
            for cut in ProcessorHarness.cuts {
                let result = Self.gunzip(compressed, cut: cut, random: &random)
                #expect(result.errors.isEmpty)
                #expect(result.bytes == data, "round \(round), level \(level), sync \(sync), \(cut)")
            }
        }
    }

    @Test func largeOutputComesOutWhole() throws {
        var random = SplitMix64(seed: 23)
        let data = random.compressible(1_500_000)
        let compressed = try Self.gzip([data])
        #expect(compressed.count < data.count / 2)
        let result = Self.gunzip(compressed, cut: .random(maxChunk: 70_000), random: &random)
        #expect(result.errors.isEmpty)
        #expect(result.bytes == data)
    }

    /// With `flush: sync`, each frame can be decoded as soon as it is sent, before `finish`.
    @Test func syncFlushMakesEveryFrameDecodableAtOnce() throws {
        var post = try CodecRegistry.standard.makePostprocessor("gzip", config: ["flush": "sync", "level": 9])
        var pre = GzipPreprocessor()
        var decoded: [UInt8] = []
        for line in ["one\n", "two\n", "three\n"] {
            var sent: [ArraySlice<UInt8>] = []
            try post.process(Array(line.utf8)[...], into: &sent)
            var frames: [ArraySlice<UInt8>] = []
            for piece in sent { try pre.process(piece, into: &frames) }
            decoded += frames.flatMap { $0 }
            #expect(decoded.suffix(line.utf8.count) == Array(line.utf8)[...])
        }
        var trailer: [ArraySlice<UInt8>] = []
        try post.finish(into: &trailer)
        var frames: [ArraySlice<UInt8>] = []
        for piece in trailer { try pre.process(piece, into: &frames) }
        try pre.finish(into: &frames)
        #expect(frames.isEmpty)
    }

    @Test func framesAfterFinishStartANewMember() throws {
        var post = try CodecRegistry.standard.makePostprocessor("compress")
        var out: [ArraySlice<UInt8>] = []
        try post.process(Array("a\n".utf8)[...], into: &out)
        try post.finish(into: &out)
        try post.process(Array("b\n".utf8)[...], into: &out)
        try post.finish(into: &out)
        var random = SplitMix64(seed: 24)
        #expect(Self.gunzip(out.flatMap { $0 }, cut: .oneByte, random: &random).bytes == Array("a\nb\n".utf8))
    }

    @Test func emptyInputIsAnEmptyStream() {
        var processor = GzipPreprocessor()
        let result = ProcessorHarness.run(&processor, [])
        #expect(result.frames.isEmpty && result.errors.isEmpty)
    }

    @Test func notGzipNamesTheMagicBytes() {
        var random = SplitMix64(seed: 25)
        for cut in ProcessorHarness.cuts {
            let result = Self.gunzip(Array("PK\u{3}\u{4} zip, not gzip".utf8), cut: cut, random: &random)
            #expect(result.bytes.isEmpty)
            #expect(result.errors.first == .syntax(codec: "gzip", message: "not gzip data: expected magic bytes 1f 8b, found 50 4b", offset: 0))
            #expect(result.errors.allSatisfy { $0 == result.errors.first }, "stays failed")
        }
    }

    @Test func trailingGarbageAfterAMemberIsAnError() {
        var random = SplitMix64(seed: 26)
        for cut in ProcessorHarness.cuts {
            let result = Self.gunzip(Self.thirdGz + [0, 0, 0], cut: cut, random: &random)
            #expect(result.bytes == Array("third\n".utf8), "\(cut)")
            #expect(result.errors.first == .syntax(codec: "gzip", message: "not gzip data: expected magic bytes 1f 8b, found 00 00", offset: 26))
        }
    }

    /// A bad checksum is found at the end of the member: its data came out, and the member
    /// before it too.
    @Test func corruptChecksumKeepsTheDataBeforeIt() {
        var random = SplitMix64(seed: 27)
        var corrupt = Self.thirdGz
        corrupt[18] ^= 0xFF  // first CRC-32 byte
        for cut in ProcessorHarness.cuts {
            let result = Self.gunzip(Self.jsonLinesGz + corrupt, cut: cut, random: &random)
            #expect(result.bytes == Array("{\"a\":1}\n{\"b\":2}\nthird\n".utf8), "\(cut)")
            #expect(result.errors.first == .syntax(codec: "gzip", message: "gzip data is invalid or corrupt", offset: 36 + 22), "\(cut)")
        }
    }

    @Test func corruptDeflateBlock() {
        var random = SplitMix64(seed: 28)
        var corrupt = Self.thirdGz
        corrupt[10] = 0x07  // final block of the reserved type 3
        for cut in ProcessorHarness.cuts {
            let result = Self.gunzip(Self.jsonLinesGz + corrupt, cut: cut, random: &random)
            #expect(result.bytes == Array("{\"a\":1}\n{\"b\":2}\n".utf8), "\(cut)")
            #expect(result.errors.first == .syntax(codec: "gzip", message: "gzip data is invalid or corrupt", offset: 36 + 11), "\(cut)")
        }
    }

    @Test func streamEndingInsideAMemberIsTruncated() {
        var random = SplitMix64(seed: 29)
        for cut in ProcessorHarness.cuts {
            let cutShort = Self.gunzip(Self.jsonLinesGz + Self.thirdGz.dropLast(1), cut: cut, random: &random)
            #expect(cutShort.bytes == Array("{\"a\":1}\n{\"b\":2}\nthird\n".utf8), "\(cut)")
            #expect(cutShort.errors == [.truncated(processor: "gzip", message: "gzip data ended before the end of its compressed stream")])
            let oneByte = Self.gunzip(Self.jsonLinesGz + [0x1F], cut: cut, random: &random)
            #expect(oneByte.errors == [.truncated(processor: "gzip", message: "gzip data ended after 1 byte of a header")])
        }
    }

    /// A tiny input that expands past `max_output` stops there, exactly, and stays failed.
    @Test func decompressionBombStopsAtMaxOutput() throws {
        let bomb = try Self.gzip([Array(repeating: 0, count: 8_000_000)], level: 9)
        #expect(bomb.count < 10_000)
        var random = SplitMix64(seed: 30)
        let limit = CodecError.outputTooLarge(processor: "gzip", limit: 1_000_000)
        for cut in [ProcessorHarness.Cut.whole, .random(maxChunk: 500)] {
            var processor = try GzipPreprocessor(config: CodecConfig(name: "gzip", value: ["max_output": 1_000_000]))
            let result = ProcessorHarness.run(&processor, ProcessorHarness.chunks(bomb, cut: cut, random: &random))
            #expect(result.frames.flatMap { $0 } == Array(repeating: 0, count: 1_000_000), "\(cut)")
            #expect(!result.errors.isEmpty && result.errors.allSatisfy { $0 == limit }, "\(cut)")
            var frames: [ArraySlice<UInt8>] = []
            #expect(throws: limit) { try processor.process(bomb[...], into: &frames) }
        }
    }

    @Test func badConfiguration() {
        #expect(throws: CodecError.badConfig(name: "gzip", key: "level", message: "unknown key; known keys: max_output")) {
            _ = try CodecRegistry.standard.makePreprocessor("gzip", config: ["level": 6])
        }
        #expect(throws: CodecError.badConfig(name: "gzip", key: "max_output", message: "expected an integer in 0...\(Int.max), got \"1G\"")) {
            _ = try CodecRegistry.standard.makePreprocessor("gzip", config: ["max_output": "1G"])
        }
        #expect(throws: CodecError.badConfig(name: "gzip", key: "level", message: "expected an integer in 0...9, got 10")) {
            _ = try CodecRegistry.standard.makePostprocessor("gzip", config: ["level": 10])
        }
        #expect(throws: CodecError.badConfig(name: "gzip", key: "level", message: "expected an integer in 0...9, got -1")) {
            _ = try GzipPostprocessor(level: -1)
        }
        #expect(throws: CodecError.badConfig(name: "compress", key: "flush", message: "expected one of none, sync, got 'full'")) {
            _ = try CodecRegistry.standard.makePostprocessor("compress", config: ["flush": "full"])
        }
        #expect(throws: CodecError.badConfig(name: "gzip", key: "window", message: "unknown key; known keys: flush, level")) {
            _ = try CodecRegistry.standard.makePostprocessor("gzip", config: ["window": 15])
        }
    }

    // MARK: - Chains

    static func lines(_ count: Int, random: inout SplitMix64) -> [String] {
        (0..<count).map { i in "{\"seq\":\(i),\"tag\":\"\(String(repeating: "x", count: random.int(in: 0...60)))\"}" }
    }

    /// gzip then separate, the usual way to read compressed JSON lines, cut at random points.
    @Test func gzipThenSeparateChain() throws {
        var random = SplitMix64(seed: 31)
        for round in 0..<20 {
            let lines = Self.lines(random.int(in: 0...400), random: &random)
            let compressed = try Self.gzip([Array(lines.joined(separator: "\n").utf8)], level: random.int(in: 1...9))
            for cut in ProcessorHarness.cuts {
                var chain = try PreprocessorChain(names: [("gzip", .null), ("separate", .null)])
                let result = ProcessorHarness.run(&chain, ProcessorHarness.chunks(compressed, cut: cut, random: &random))
                #expect(result.errors.isEmpty)
                #expect(ProcessorHarness.text(result.frames) == lines, "round \(round), \(cut)")
            }
        }
    }

    /// Errors anywhere in a chain keep the frames around them: a line too long for `separate`,
    /// then a corrupt checksum at the end of the gzip stream.
    @Test func chainKeepsTheFramesAroundErrors() throws {
        var random = SplitMix64(seed: 32)
        let text = "first\n" + String(repeating: "z", count: 100) + "\nsecond\nthird"
        var compressed = try Self.gzip([Array(text.utf8)])
        compressed[compressed.count - 8] ^= 0xFF  // CRC-32
        for cut in ProcessorHarness.cuts {
            var chain = PreprocessorChain([GzipPreprocessor(), SeparatePreprocessor(maxLength: 50)])
            let result = ProcessorHarness.run(&chain, ProcessorHarness.chunks(compressed, cut: cut, random: &random))
            #expect(ProcessorHarness.text(result.frames) == ["first", "second", "third"], "\(cut)")
            // A call throws the first error the chain met, so one may hide the other.
            let corrupt = CodecError.syntax(codec: "gzip", message: "gzip data is invalid or corrupt", offset: compressed.count - 4)
            let tooLong = CodecError.frameTooLong(processor: "separate", limit: 50)
            #expect(result.errors.contains(corrupt), "\(cut)")
            #expect(result.errors.allSatisfy { $0 == corrupt || $0 == tooLong }, "\(cut)")
            if case .oneByte = cut {
                #expect(result.errors.first == tooLong)
            }
        }
    }

    /// The postprocessor chain is the inverse: separate then gzip.
    @Test func separateThenGzipPostprocessorChain() throws {
        var random = SplitMix64(seed: 33)
        let lines = Self.lines(300, random: &random)
        var post = try PostprocessorChain(names: [("separate", .null), ("gzip", ["level": 1])])
        let compressed = try ProcessorHarness.write(&post, lines.map { Array($0.utf8) })
        var chain = try PreprocessorChain(names: [("decompress", .null), ("separate", .null)])
        let result = ProcessorHarness.run(&chain, ProcessorHarness.chunks(compressed, cut: .random(maxChunk: 100), random: &random))
        #expect(result.errors.isEmpty)
        #expect(ProcessorHarness.text(result.frames) == lines)
    }
}
