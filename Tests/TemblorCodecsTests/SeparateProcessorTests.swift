import Testing
import TemblorCodecs
import TemblorTestSupport
import TemblorValue

@Suite struct SeparateProcessorTests {
    /// The frames a stream holds, by the definition: cut at each leftmost separator, left to right.
    static func reference(_ stream: [UInt8], separator: [UInt8], skipEmpty: Bool) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var start = 0
        var i = 0
        while i + separator.count <= stream.count {
            if Array(stream[i..<(i + separator.count)]) == separator {
                frames.append(Array(stream[start..<i]))
                i += separator.count
                start = i
            } else {
                i += 1
            }
        }
        if start < stream.count { frames.append(Array(stream[start...])) }
        return skipEmpty ? frames.filter { !$0.isEmpty } : frames
    }

    @Test func splitsLinesAndSkipsEmptyOnes() throws {
        var random = SplitMix64(seed: 1)
        let stream = Array("one\ntwo\n\nthree\nlast".utf8)
        for cut in ProcessorHarness.cuts {
            let result = ProcessorHarness.run(SeparatePreprocessor(), stream, cut: cut, random: &random)
            #expect(result.errors.isEmpty)
            #expect(ProcessorHarness.text(result.frames) == ["one", "two", "three", "last"], "\(cut)")
        }
    }

    @Test func keepsEmptyFramesWhenAsked() throws {
        var random = SplitMix64(seed: 2)
        let processor = try SeparatePreprocessor(config: CodecConfig(name: "separate", value: ["skip_empty": false]))
        for cut in ProcessorHarness.cuts {
            let result = ProcessorHarness.run(processor, Array("a\n\nb\n\n".utf8), cut: cut, random: &random)
            #expect(result.errors.isEmpty)
            // The trailing separator ends the last frame; it does not start an empty one.
            #expect(ProcessorHarness.text(result.frames) == ["a", "", "b", ""], "\(cut)")
        }
    }

    @Test func framesInsideAChunkAreSlicesOfIt() throws {
        let chunk = Array("alpha\nbeta\ngam".utf8)
        var processor = SeparatePreprocessor()
        var frames: [ArraySlice<UInt8>] = []
        try processor.process(chunk[...], into: &frames)
        #expect(frames.count == 2)
        chunk.withUnsafeBufferPointer { whole in
            for frame in frames {
                frame.withUnsafeBufferPointer { part in
                    #expect(part.baseAddress! >= whole.baseAddress! && part.baseAddress! + part.count <= whole.baseAddress! + whole.count)
                }
            }
        }
        frames.removeAll()
        try processor.process(Array("ma\n".utf8)[...], into: &frames)
        #expect(frames.map { Array($0) } == [Array("gamma".utf8)])
    }

    @Test func multiByteSeparatorCutByChunks() throws {
        var processor = try SeparatePreprocessor(config: CodecConfig(name: "separate", value: ["separator": "\r\n"]))
        let chunks: [ArraySlice<UInt8>] = ["a\r", "\nb\r", "x\r", "\r", "\n", "\r"].map { Array($0.utf8)[...] }
        let result = ProcessorHarness.run(&processor, chunks)
        #expect(result.errors.isEmpty)
        // "b\rx\r" keeps its lone CRs; the final lone CR is a frame of its own.
        #expect(ProcessorHarness.text(result.frames) == ["a", "b\rx\r", "\r"])
    }

    /// Random streams over a tiny alphabet (so separators, partial separators and overlaps are
    /// frequent), cut every way, against the reference splitter, with and without a length limit.
    @Test(arguments: ["\n", "\r\n", "abab", "aab", "ba"])
    func matchesReferenceOnRandomStreams(separator: String) {
        var random = SplitMix64(seed: 0x5EED + UInt64(separator.utf8.count))
        let sep = Array(separator.utf8)
        let alphabet = Array("ab\r\n".utf8)
        for round in 0..<150 {
            let stream = random.bytes(random.int(in: 0...120), from: alphabet)
            let skipEmpty = random.bool()
            // Half the rounds also limit the frame length: each longer frame is one error.
            let maxLength = random.bool() ? 0 : random.int(in: 1...12)
            let all = Self.reference(stream, separator: sep, skipEmpty: skipEmpty)
            let expected = maxLength == 0 ? all : all.filter { $0.count <= maxLength }
            let tooLong = CodecError.frameTooLong(processor: "separate", limit: maxLength == 0 ? Int.max : maxLength)
            for cut in ProcessorHarness.cuts {
                let processor = SeparatePreprocessor(separator: sep, maxLength: maxLength, skipEmpty: skipEmpty)
                let result = ProcessorHarness.run(processor, stream, cut: cut, random: &random)
                // A call throws once at most, and `finish` reports the first of the frames it drops.
                let dropped = all.count - expected.count
                #expect(result.errors.allSatisfy { $0 == tooLong })
                #expect((dropped == 0) == result.errors.isEmpty && result.errors.count <= dropped, "round \(round), \(cut)")
                if case .oneByte = cut {
                    #expect(result.errors.count == dropped, "round \(round)")
                }
                #expect(result.frames == expected, "round \(round), \(cut), stream \(stream)")
            }
        }
    }

    @Test func roundTripsThroughThePostprocessor() throws {
        var random = SplitMix64(seed: 99)
        for separator in ["\n", "\r\n", "||"] {
            let sep = Array(separator.utf8)
            for _ in 0..<40 {
                // Frames without the separator's bytes, so no frame can hide one.
                let alphabet = (0...255).map(UInt8.init).filter { !sep.contains($0) }
                let frames = (0..<random.int(in: 0...30)).map { _ in random.bytes(random.int(in: 1...200), from: alphabet) }
                var post = try SeparatePostprocessor(config: CodecConfig(name: "separate", value: ["separator": .string(separator)]))
                let stream = try ProcessorHarness.write(&post, frames)
                #expect(stream.count == frames.reduce(0) { $0 + $1.count + sep.count })
                for cut in ProcessorHarness.cuts {
                    let result = ProcessorHarness.run(SeparatePreprocessor(separator: sep), stream, cut: cut, random: &random)
                    #expect(result.errors.isEmpty)
                    #expect(result.frames == frames, "\(cut)")
                }
            }
        }
    }

    /// An oversized frame throws once, is dropped up to the next separator, and every other
    /// frame still comes out, however the stream is cut.
    @Test func oversizedFrameIsDroppedAndTheStreamResynchronises() throws {
        var random = SplitMix64(seed: 7)
        let stream = Array(("ok1\n" + String(repeating: "x", count: 30) + "\nok2\nok3\n" + "yyyyyyyyy\nok4").utf8)
        let tooLong = CodecError.frameTooLong(processor: "separate", limit: 8)
        for cut in ProcessorHarness.cuts {
            for _ in 0..<20 {
                let processor = SeparatePreprocessor(maxLength: 8)
                let result = ProcessorHarness.run(processor, stream, cut: cut, random: &random)
                #expect(ProcessorHarness.text(result.frames) == ["ok1", "ok2", "ok3", "ok4"], "\(cut)")
                #expect(result.errors == [tooLong, tooLong], "\(cut)")
            }
        }
    }

    @Test func oversizedFrameWithMultiByteSeparatorResynchronises() throws {
        var random = SplitMix64(seed: 8)
        let stream = Array("ab\r\n0123456789\r\r\n\r\ncd\r\n".utf8)
        for cut in ProcessorHarness.cuts {
            let processor = SeparatePreprocessor(separator: Array("\r\n".utf8), maxLength: 4)
            let result = ProcessorHarness.run(processor, stream, cut: cut, random: &random)
            #expect(ProcessorHarness.text(result.frames) == ["ab", "cd"], "\(cut)")
            #expect(result.errors == [.frameTooLong(processor: "separate", limit: 4)], "\(cut)")
        }
    }

    @Test func oversizedLastFrameWithoutSeparatorThrowsOnce() throws {
        var random = SplitMix64(seed: 9)
        for cut in ProcessorHarness.cuts {
            let result = ProcessorHarness.run(SeparatePreprocessor(maxLength: 3), Array("abc\nabcd".utf8), cut: cut, random: &random)
            #expect(ProcessorHarness.text(result.frames) == ["abc"], "\(cut)")
            #expect(result.errors == [.frameTooLong(processor: "separate", limit: 3)], "\(cut)")
        }
    }

    @Test func theFramesAfterAnOversizedOneComeOutOnTheNextCall() throws {
        var processor = SeparatePreprocessor(maxLength: 4)
        var frames: [ArraySlice<UInt8>] = []
        #expect(throws: CodecError.frameTooLong(processor: "separate", limit: 4)) {
            try processor.process(Array("a\ntoo long\nb\nc".utf8)[...], into: &frames)
        }
        #expect(frames.map { Array($0) } == [Array("a".utf8)])
        frames.removeAll()
        try processor.process(Array("d\n".utf8)[...], into: &frames)
        #expect(ProcessorHarness.text(frames.map { Array($0) }) == ["b", "cd"])
    }

    @Test func badConfiguration() {
        #expect(throws: CodecError.badConfig(
            name: "separate", key: "sep", message: "unknown key; known keys: max_length, separator, skip_empty"
        )) {
            _ = try CodecRegistry.standard.makePreprocessor("separate", config: ["sep": "\n"])
        }
        #expect(throws: CodecError.badConfig(
            name: "separate", key: "max_length", message: "expected an integer in 0...\(Int.max), got \"big\""
        )) {
            _ = try CodecRegistry.standard.makePreprocessor("separate", config: ["max_length": "big"])
        }
        #expect(throws: CodecError.badConfig(name: "separate", key: "separator", message: "expected a string, got 10")) {
            _ = try CodecRegistry.standard.makePreprocessor("separate", config: ["separator": 10])
        }
        #expect(throws: CodecError.badConfig(name: "separate", key: "separator", message: "must hold at least one byte")) {
            _ = try CodecRegistry.standard.makePostprocessor("separate", config: ["separator": ""])
        }
        #expect(throws: CodecError.badConfig(name: "separate", key: "skip_empty", message: "expected true or false, got 1")) {
            _ = try CodecRegistry.standard.makePreprocessor("separate", config: ["skip_empty": 1])
        }
    }

    @Test func registryKnowsTheStockProcessors() {
        let registry = CodecRegistry.standard
        for name in ["separate", "length-prefixed", "base64", "gzip", "zlib", "decompress"] {
            #expect(registry.preprocessorNames.contains(name), "\(name)")
        }
        for name in ["separate", "length-prefixed", "base64", "gzip", "zlib", "compress"] {
            #expect(registry.postprocessorNames.contains(name), "\(name)")
        }
    }
}

/// `separate` numbers the records it frames, so errors can name the input line.
@Suite struct SeparateRecordNumberTests {
    @Test func recordNumbersCountSkippedAndSplitLines() throws {
        let input = Array("a\n\nbb\n\n\nccc\nd".utf8)
        for cut in 0...input.count {
            var separate = SeparatePreprocessor()
            var frames: [ArraySlice<UInt8>] = []
            var records: [Int] = []
            try separate.process(input[..<cut], into: &frames)
            records += separate.lastFrameRecords
            try separate.process(input[cut...], into: &frames)
            records += separate.lastFrameRecords
            try separate.finish(into: &frames)
            records += separate.lastFrameRecords
            #expect(frames.map { String(decoding: $0, as: UTF8.self) } == ["a", "bb", "ccc", "d"], "cut \(cut)")
            #expect(records == [1, 3, 6, 7], "cut \(cut)")
        }
    }

    @Test func anOversizedLineStillCounts() throws {
        var separate = SeparatePreprocessor(maxLength: 3)
        var frames: [ArraySlice<UInt8>] = []
        #expect(throws: CodecError.frameTooLong(processor: "separate", limit: 3)) {
            try separate.process(Array("ok\ntoolong\nyes\n".utf8)[...], into: &frames)
        }
        #expect(separate.lastFrameRecords == [1])
        try separate.finish(into: &frames)
        #expect(frames.map { String(decoding: $0, as: UTF8.self) } == ["ok", "yes"])
        #expect(separate.lastFrameRecords == [3])
    }
}
