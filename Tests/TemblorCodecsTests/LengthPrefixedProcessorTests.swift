import Testing
import TemblorCodecs
import TemblorTestSupport
import TemblorValue

@Suite struct LengthPrefixedProcessorTests {
    @Test(arguments: [1, 2, 4, 8])
    func roundTripsRandomFramesCutAnywhere(width: Int) throws {
        var random = SplitMix64(seed: 0xF00D + UInt64(width))
        for _ in 0..<60 {
            let frames = (0..<random.int(in: 0...25)).map { _ in random.bytes(random.int(in: 0...(width == 1 ? 255 : 700))) }
            var post = try LengthPrefixedPostprocessor(config: CodecConfig(name: "length-prefixed", value: ["length_bytes": .int(Int64(width))]))
            let stream = try ProcessorHarness.write(&post, frames)
            #expect(stream.count == frames.reduce(0) { $0 + $1.count + width })
            for cut in ProcessorHarness.cuts {
                let result = ProcessorHarness.run(LengthPrefixedPreprocessor(lengthBytes: width), stream, cut: cut, random: &random)
                #expect(result.errors.isEmpty)
                #expect(result.frames == frames, "\(cut)")
            }
        }
    }

    @Test func readsBigEndianPrefixes() throws {
        var processor = LengthPrefixedPreprocessor(lengthBytes: 2)
        let result = ProcessorHarness.run(&processor, [[0, 3, 0x61, 0x62, 0x63, 0, 0, 0, 1, 0x7A][...]])
        #expect(result.errors.isEmpty)
        #expect(ProcessorHarness.text(result.frames) == ["abc", "", "z"])
        var post = LengthPrefixedPostprocessor(lengthBytes: 8)
        #expect(try ProcessorHarness.write(&post, [Array("hi".utf8)]) == [0, 0, 0, 0, 0, 0, 0, 2, 0x68, 0x69])
    }

    @Test func payloadsInsideAChunkAreSlicesOfIt() throws {
        let chunk: [UInt8] = [0, 0, 0, 2, 7, 8, 0, 0, 0, 1, 9]
        var processor = LengthPrefixedPreprocessor()
        var frames: [ArraySlice<UInt8>] = []
        try processor.process(chunk[...], into: &frames)
        #expect(frames.map(\.startIndex) == [4, 10])
        #expect(frames.map { Array($0) } == [[7, 8], [9]])
    }

    @Test func streamEndingInsideAPrefixIsTruncated() {
        var random = SplitMix64(seed: 3)
        let stream: [UInt8] = [0, 0, 0, 2, 0x6F, 0x6B, 0, 0]
        for cut in ProcessorHarness.cuts {
            let result = ProcessorHarness.run(LengthPrefixedPreprocessor(), stream, cut: cut, random: &random)
            #expect(ProcessorHarness.text(result.frames) == ["ok"], "\(cut)")
            #expect(result.errors == [.truncated(processor: "length-prefixed", message: "2 of 4 length-prefix bytes")], "\(cut)")
        }
    }

    @Test func streamEndingInsideAPayloadIsTruncated() {
        var random = SplitMix64(seed: 4)
        let stream: [UInt8] = [0, 0, 0, 2, 0x6F, 0x6B, 0, 0, 0, 5, 1, 2, 3]
        for cut in ProcessorHarness.cuts {
            let result = ProcessorHarness.run(LengthPrefixedPreprocessor(), stream, cut: cut, random: &random)
            #expect(ProcessorHarness.text(result.frames) == ["ok"], "\(cut)")
            #expect(result.errors == [.truncated(processor: "length-prefixed", message: "3 of 5 payload bytes")], "\(cut)")
        }
    }

    /// Past an oversized length nothing shows where the next frame starts: the frames before it
    /// come out, then every call throws the same error.
    @Test func oversizedLengthFailsTheStreamForGood() throws {
        let processor = try LengthPrefixedPreprocessor(
            config: CodecConfig(name: "length-prefixed", value: ["length_bytes": 1, "max_length": 3]))
        let tooLong = CodecError.frameTooLong(processor: "length-prefixed", limit: 3)
        var random = SplitMix64(seed: 5)
        let stream: [UInt8] = [2, 0x61, 0x62, 3, 0x63, 0x64, 0x65, 4, 1, 2, 3, 4, 1, 0x66]
        for cut in ProcessorHarness.cuts {
            var copy = processor
            let chunks = ProcessorHarness.chunks(stream, cut: cut, random: &random)
            let result = ProcessorHarness.run(&copy, chunks)
            #expect(ProcessorHarness.text(result.frames) == ["ab", "cde"], "\(cut)")
            #expect(!result.errors.isEmpty && result.errors.allSatisfy { $0 == tooLong }, "\(cut)")
            var frames: [ArraySlice<UInt8>] = []
            #expect(throws: tooLong) { try copy.process([1, 0x67][...], into: &frames) }
            #expect(throws: tooLong) { try copy.finish(into: &frames) }
            #expect(frames.isEmpty)
        }
    }

    @Test func hugeLengthIsAnErrorNotAnAllocation() {
        var processor = LengthPrefixedPreprocessor(lengthBytes: 8, maxLength: 0)
        var frames: [ArraySlice<UInt8>] = []
        #expect(throws: CodecError.frameTooLong(processor: "length-prefixed", limit: Int.max)) {
            try processor.process([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1][...], into: &frames)
        }
        // Unlimited, a length of 4 GiB in a short stream only ever holds what arrived.
        var unlimited = LengthPrefixedPreprocessor(lengthBytes: 8, maxLength: 0)
        #expect(throws: CodecError.truncated(processor: "length-prefixed", message: "2 of 4294967296 payload bytes")) {
            try unlimited.process([0, 0, 0, 1, 0, 0, 0, 0, 1, 2][...], into: &frames)
            try unlimited.finish(into: &frames)
        }
    }

    @Test func frameTooLargeForThePrefixIsUnencodable() throws {
        var post = LengthPrefixedPostprocessor(lengthBytes: 1)
        var output: [ArraySlice<UInt8>] = []
        try post.process(Array(repeating: 1, count: 255)[...], into: &output)
        #expect(throws: CodecError.unencodable(
            codec: "length-prefixed", reason: "a frame of 256 bytes does not fit a 1-byte length prefix (at most 255)"
        )) {
            try post.process(Array(repeating: 1, count: 256)[...], into: &output)
        }
        var wide = LengthPrefixedPostprocessor(lengthBytes: 2)
        #expect(throws: CodecError.unencodable(
            codec: "length-prefixed", reason: "a frame of 65536 bytes does not fit a 2-byte length prefix (at most 65535)"
        )) {
            try wide.process(Array(repeating: 1, count: 65536)[...], into: &output)
        }
        // The frames before and after the refused one are written.
        try post.process([9][...], into: &output)
        #expect(output.flatMap { $0 }.count == 256 + 2)
    }

    @Test func badConfiguration() {
        #expect(throws: CodecError.badConfig(
            name: "length-prefixed", key: "length_bytes", message: "expected 1, 2, 4 or 8, got 3"
        )) {
            _ = try CodecRegistry.standard.makePreprocessor("length-prefixed", config: ["length_bytes": 3])
        }
        #expect(throws: CodecError.badConfig(
            name: "length-prefixed", key: "length_bytes", message: "expected an integer in 1...8, got \"4\""
        )) {
            _ = try CodecRegistry.standard.makePostprocessor("length-prefixed", config: ["length_bytes": "4"])
        }
        #expect(throws: CodecError.badConfig(
            name: "length-prefixed", key: "max_length", message: "unknown key; known keys: length_bytes"
        )) {
            _ = try CodecRegistry.standard.makePostprocessor("length-prefixed", config: ["max_length": 4])
        }
        #expect(throws: CodecError.badConfig(
            name: "length-prefixed", key: "width", message: "unknown key; known keys: length_bytes, max_length"
        )) {
            _ = try CodecRegistry.standard.makePreprocessor("length-prefixed", config: ["width": 4])
        }
    }
}
