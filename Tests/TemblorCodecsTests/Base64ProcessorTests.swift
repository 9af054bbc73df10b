import Foundation
import Testing
import TemblorCodecs
import TemblorTestSupport
import TemblorValue

@Suite struct Base64ProcessorTests {
    static func decode(_ text: String, cut: ProcessorHarness.Cut = .whole, random: inout SplitMix64) -> (bytes: [UInt8], errors: [CodecError]) {
        let result = ProcessorHarness.run(Base64Preprocessor(), Array(text.utf8), cut: cut, random: &random)
        return (result.frames.flatMap { $0 }, result.errors)
    }

    /// Frames encoded one by one and concatenated decode back to the frames' bytes, however the
    /// text is cut.
    @Test func roundTripsRandomFramesCutAnywhere() throws {
        var random = SplitMix64(seed: 0xBA5E)
        for _ in 0..<80 {
            let frames = (0..<random.int(in: 0...12)).map { _ in random.bytes(random.int(in: 0...90)) }
            var post = try Base64Postprocessor(config: CodecConfig(name: "base64"))
            let text = try ProcessorHarness.write(&post, frames)
            #expect(!text.contains(UInt8(ascii: "\n")))
            for cut in ProcessorHarness.cuts {
                let result = ProcessorHarness.run(Base64Preprocessor(), text, cut: cut, random: &random)
                #expect(result.errors.isEmpty)
                #expect(result.frames.flatMap { $0 } == frames.flatMap { $0 }, "\(cut)")
            }
        }
    }

    @Test func encodesStandardPaddedBase64() throws {
        var post = Base64Postprocessor()
        #expect(try ProcessorHarness.write(&post, [Array("hello".utf8), [], [0xFB, 0xFF]]) == Array("aGVsbG8=+/8=".utf8))
    }

    @Test func decodesLineWrappedText() throws {
        var random = SplitMix64(seed: 11)
        let data = random.bytes(3000)
        let wrapped = Data(data).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        #expect(wrapped.contains("\r\n"))
        for cut in ProcessorHarness.cuts {
            let result = Self.decode(wrapped + "\r\n", cut: cut, random: &random)
            #expect(result.errors.isEmpty)
            #expect(result.bytes == data, "\(cut)")
        }
        #expect(Self.decode(" aGVs\tbG8g\n d29y bGQ=\n", random: &random).bytes == Array("hello world".utf8))
    }

    @Test func acceptsAnUnpaddedFinalGroup() {
        var random = SplitMix64(seed: 12)
        for cut in ProcessorHarness.cuts {
            #expect(Self.decode("QUJDRA", cut: cut, random: &random).bytes == Array("ABCD".utf8))
            #expect(Self.decode("QUJDREU", cut: cut, random: &random).bytes == Array("ABCDE".utf8))
            #expect(Self.decode("QUJDREU=", cut: cut, random: &random).bytes == Array("ABCDE".utf8))
        }
    }

    /// The chunk holding a bad character is dropped and reported with the character's offset in
    /// the stream; the chunks around it decode.
    @Test func badCharacterNamesItsOffsetAndDropsOnlyItsChunk() {
        var processor = Base64Preprocessor()
        let chunks = ["QUJD\n", "RE*G", "SElK"].map { Array($0.utf8)[...] }
        let result = ProcessorHarness.run(&processor, chunks)
        #expect(result.errors == [.syntax(codec: "base64", message: "invalid character '*' (0x2a)", offset: 7)])
        #expect(ProcessorHarness.text(result.frames) == ["ABC", "HIJ"])
    }

    @Test func badCharacterOffsetCountsTheWholeStream() {
        var random = SplitMix64(seed: 13)
        let text = "QUJD\r\nREVG\r\nR0hJ\r\n" + "SktM\u{7F}" + "TU5P"
        for cut in ProcessorHarness.cuts {
            let result = Self.decode(text, cut: cut, random: &random)
            #expect(result.errors == [.syntax(codec: "base64", message: "invalid character 0x7f", offset: 22)], "\(cut)")
            switch cut {
            case .whole:
                #expect(result.bytes.isEmpty)
            case .oneByte:
                // Only the bad byte's own chunk is dropped.
                #expect(result.bytes == Array("ABCDEFGHIJKLMNO".utf8))
            case .random:
                break
            }
        }
    }

    @Test func misplacedPadding() {
        var random = SplitMix64(seed: 14)
        #expect(Self.decode("QUJDQQ=A", random: &random).errors == [
            .syntax(codec: "base64", message: "data after '=' in a group", offset: 7)
        ])
        #expect(Self.decode("Q===", random: &random).errors == [
            .syntax(codec: "base64", message: "'=' after 1 character of a group; padding needs two or three", offset: 1)
        ])
        #expect(Self.decode("=", random: &random).errors == [
            .syntax(codec: "base64", message: "'=' after 0 characters of a group; padding needs two or three", offset: 0)
        ])
    }

    @Test func streamEndingWhereNoGroupCanEndIsTruncated() {
        var random = SplitMix64(seed: 15)
        for cut in ProcessorHarness.cuts {
            let single = Self.decode("QUJDR", cut: cut, random: &random)
            #expect(single.bytes == Array("ABC".utf8))
            #expect(single.errors == [.truncated(processor: "base64", message: "a group of one character; a group needs at least two")])
            let halfPadded = Self.decode("QUJDQQ=", cut: cut, random: &random)
            #expect(halfPadded.bytes == Array("ABC".utf8))
            #expect(halfPadded.errors == [.truncated(processor: "base64", message: "a group ended after its first '='; expected '=='")])
        }
    }

    @Test func badConfiguration() {
        #expect(throws: CodecError.badConfig(name: "base64", key: "alphabet", message: "unknown key; it takes no configuration")) {
            _ = try CodecRegistry.standard.makePreprocessor("base64", config: ["alphabet": "url"])
        }
        #expect(throws: CodecError.badConfig(name: "base64", key: "", message: "configuration must be an object, not string")) {
            _ = try CodecRegistry.standard.makePostprocessor("base64", config: "padded")
        }
    }
}
