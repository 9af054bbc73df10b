import Testing
import TemblorCodecs
import TemblorTestSupport
import TemblorValue

@Suite struct JSONCodecTests {
    func decode(_ text: String) throws(CodecError) -> Value {
        var codec = JSONCodec()
        return try codec.decode(Array(text.utf8))
    }

    func encode(_ value: Value) throws(CodecError) -> String {
        var codec = JSONCodec()
        return String(decoding: try codec.encode(value), as: UTF8.self)
    }

    @Test func integersStayIntegersAndFloatsStayFloats() throws {
        #expect(try decode("1") == .int(1))
        #expect(try decode("1.0") == .float(1.0))
        #expect(try decode("-0") == .int(0))
        #expect(try decode("1e2") == .float(100))
        #expect(try decode("9223372036854775807") == .int(Int64.max))
        #expect(try decode("-9223372036854775808") == .int(Int64.min))
        let above = try decode("9223372036854775808")
        guard case .uint(let u) = above else {
            Issue.record("expected .uint, got \(above)")
            return
        }
        #expect(u == UInt64(Int64.max) + 1)
        #expect(try decode("18446744073709551615") == .uint(UInt64.max))
        #expect(try encode(.uint(UInt64.max)) == "18446744073709551615")
        #expect(try encode(.int(Int64.min)) == "-9223372036854775808")
        #expect(try encode(.float(1.0)) == "1.0")
        #expect(try encode(.float(-0.0)) == "-0.0")
    }

    @Test func objectsKeepOrderAndLastDuplicateWins() throws {
        let value = try decode(#"{"z":1,"a":2,"m":3,"a":4}"#)
        #expect(value.objectValue.map { Array($0.keys) } == ["z", "a", "m"])
        #expect(value["a"] == 4)
        #expect(try encode(value) == #"{"z":1,"a":4,"m":3}"#)
    }

    @Test func stringsAreEscapedOnlyWhereJSONRequires() throws {
        let value: Value = .string("q\" b\\ n\n t\t r\r bs\u{8} ff\u{C} nul\u{0} us\u{1F} é 日本 🎉 /")
        let text = try encode(value)
        #expect(text == #""q\" b\\ n\n t\t r\r bs\b ff\f nul\u0000 us\u001f é 日本 🎉 /""#)
        #expect(try decode(text) == value)
        #expect(try decode(#""\u00e9\ud83c\udf89\/""#) == "é🎉/")
    }

    @Test func bytesEncodeAsBase64Strings() throws {
        #expect(try encode(.bytes([0, 1, 2, 0xFF])) == #""AAEC/w==""#)
    }

    @Test func nonFiniteFloatsAreRefused() {
        for f in [Double.nan, .infinity, -.infinity] {
            #expect(throws: CodecError.unencodable(codec: "json", reason: "\(f) has no JSON representation")) {
                try encode(["x": [1, .float(f)]])
            }
        }
    }

    @Test func errorsNameTheOffendingByte() {
        let cases: [(String, Int, String)] = [
            ("", 0, "empty input"),
            ("[1,2", 4, "unexpected end of input"),
            (#"{"a" 1}"#, 5, "expected ':'"),
            ("[1,]", 3, "expected a value"),
            (#"{"a":1}x"#, 7, "after the document"),
            ("[01]", 2, "leading zero"),
            (#""a\x""#, 2, "invalid escape"),
            ("\"a\tb\"", 2, "control character"),
            ("tru", 0, "invalid literal"),
            ("18446744073709551616", 0, "does not fit in 64 bits"),
            ("[1e400]", 1, "out of the range"),
            (#"["\ud800"]"#, 2, "unpaired surrogate"),
        ]
        for (text, offset, words) in cases {
            do {
                let value = try decode(text)
                Issue.record("\(text) decoded as \(value)")
            } catch {
                guard case .syntax("json", let message, let at) = error else {
                    Issue.record("\(text): unexpected \(error)")
                    continue
                }
                #expect(at == offset, "\(text): \(error)")
                #expect(message.contains(words), "\(text): \(error)")
            }
        }
    }

    @Test func invalidUTF8IsRejectedWithItsOffset() {
        var codec = JSONCodec()
        let inputs: [([UInt8], Int)] = [
            ([0x22, 0x61, 0xFF, 0x22], 2),
            ([0x5B, 0x22, 0xC3, 0x22, 0x5D], 2),  // truncated 2-byte sequence
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // an encoded surrogate
            ([0x22, 0xC0, 0xAF, 0x22], 1),  // overlong '/'
        ]
        for (bytes, offset) in inputs {
            #expect(throws: CodecError.invalidUTF8(codec: "json", offset: offset)) { try codec.decode(bytes) }
        }
    }

    @Test func theSameCodecDecodesFrameAfterFrame() throws {
        var codec = JSONCodec()
        for i in 0..<1000 {
            let frame = Array(#"{"n":\#(i),"s":"\#(String(repeating: "x", count: i % 50))"}"#.utf8)
            let value = try codec.decode(frame)
            #expect(value["n"] == .int(Int64(i)))
        }
        #expect(throws: CodecError.self) { try codec.decode(Array("{".utf8)) }
        #expect(try codec.decode(Array("[true]".utf8)) == [true])
    }

    @Test func roundTripIsTheIdentity() throws {
        var generator = ValueGenerator(seed: 0x7E3B_10C0, kinds: .init(bytes: false, nonFiniteFloats: false))
        var codec = JSONCodec()
        for _ in 0..<3000 {
            let value = generator.value()
            let bytes = try codec.encode(value)
            let back = try codec.decode(bytes)
            #expect(ValueGenerator.sameOrder(back, value), "\(value) came back as \(back)")
        }
    }

    @Test func validationChecksWithoutBuildingAndReportsTheSameErrors() throws {
        var codec = JSONCodec()
        func padded(_ text: String) -> [UInt8] { Array(text.utf8) + Array(repeating: 0, count: JSONCodec.padding) }
        let good = padded(#"{"a":[1,2,{"b":null}]}"#)
        try good.withUnsafeBytes { raw in
            try codec.validate(padded: UnsafeRawBufferPointer(rebasing: raw[0..<(good.count - JSONCodec.padding)]))
        }
        let bad = padded("[1,,2]")
        #expect(throws: CodecError.syntax(codec: "json", message: "unexpected ',', expected a value", offset: 3)) {
            try bad.withUnsafeBytes { raw in
                try codec.validate(padded: UnsafeRawBufferPointer(rebasing: raw[0..<6]))
            }
        }
        // Padded decoding gives the same value as the copying path.
        let value = try good.withUnsafeBytes { raw in
            try codec.decode(padded: UnsafeRawBufferPointer(rebasing: raw[0..<(good.count - JSONCodec.padding)]))
        }
        #expect(value == ["a": [1, 2, ["b": nil]]])
    }

    @Test func deepNestingIsRefusedNotACrash() {
        var codec = JSONCodec()
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000)
        #expect(throws: CodecError.self) { try codec.decode(deep) }
        let ok = Array(repeating: UInt8(ascii: "["), count: 500) + Array(repeating: UInt8(ascii: "]"), count: 500)
        #expect(throws: Never.self) { try codec.decode(ok) }
    }
}
