import TemblorCodecs
import TemblorTestSupport
import TemblorValue
import Testing


private func decode(_ text: String, codec: CSVCodec? = nil) throws(CodecError) -> Value {
    var chosen = codec ?? CSVCodec()
    return try chosen.decode(Array(text.utf8))
}

private func encode(_ value: Value, codec: CSVCodec? = nil) throws(CodecError) -> String {
    var chosen = codec ?? CSVCodec()
    return String(decoding: try chosen.encode(value), as: UTF8.self)
}

private func decodeError(_ bytes: [UInt8]) -> CodecError? {
    do {
        var codec = CSVCodec()
        _ = try codec.decode(bytes)
        return nil
    } catch {
        return error
    }
}

private func decodeError(_ text: String) -> CodecError? {
    decodeError(Array(text.utf8))
}

private func encodeError(_ value: Value) -> CodecError? {
    do {
        var codec = CSVCodec()
        _ = try codec.encode(value)
        return nil
    } catch {
        return error
    }
}

@Suite struct CSVCodecTests {
    // MARK: Round trips

    @Test func randomRecordsRoundTrip() throws {
        var random = SplitMix64(seed: 0xC5F0_2024_0000_0001)
        let dialects: [(String, String)] = [(",", "\""), (";", "'"), ("\t", "\""), ("|", "\"")]
        let alphabet: [String] = ["a", "b", "1", " ", "\t", ",", ";", "|", "\"", "'", "\n", "\r", "\r\n", "é", "🚀", "x y", "="]
        for _ in 0..<2000 {
            let (separator, quote) = random.pick(dialects)
            let codec = try CSVCodec(separator: separator, quote: quote)
            var fields: [Value] = []
            for _ in 0..<random.below(6) {
                var field = ""
                for _ in 0..<random.below(8) { field += random.pick(alphabet) }
                fields.append(.string(field))
            }
            let line = try encode(.array(fields), codec: codec)
            #expect(try decode(line, codec: codec) == .array(fields), "\(fields) encoded as \(line.debugDescription)")
        }
    }

    @Test func scalarsComeBackAsTheirText() throws {
        var random = SplitMix64(seed: 42)
        for _ in 0..<500 {
            var fields: [Value] = []
            var expected: [Value] = []
            for _ in 0..<(1 + random.below(5)) {
                switch random.below(4) {
                case 0:
                    let i = Int64(bitPattern: random.next())
                    fields.append(.int(i))
                    expected.append(.string(String(i)))
                case 1:
                    let u = UInt64(Int64.max) + 1 + random.next() % UInt64(Int64.max)
                    fields.append(.uint(u))
                    expected.append(.string(String(u)))
                case 2:
                    let f = Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)
                    fields.append(.float(f))
                    expected.append(.string(f.description))
                    #expect(Double(f.description) == f)
                default:
                    let b = random.below(2) == 0
                    fields.append(.bool(b))
                    expected.append(.string(b ? "true" : "false"))
                }
            }
            #expect(try decode(encode(.array(fields))) == .array(expected))
        }
    }

    @Test func emptyRecordsStayDistinct() throws {
        #expect(try encode([]) == "")
        #expect(try decode("") == [])
        #expect(try encode([""]) == "\"\"")
        #expect(try decode("\"\"") == [""])
        #expect(try encode([nil]) == "\"\"")
        #expect(try encode(["", ""]) == ",")
        #expect(try decode(",") == ["", ""])
    }

    // MARK: Golden examples (RFC 4180, section 2)

    @Test func rfcPlainRecord() throws {
        #expect(try decode("aaa,bbb,ccc") == ["aaa", "bbb", "ccc"])
    }

    @Test func rfcLineTerminatorIsIgnored() throws {
        #expect(try decode("aaa,bbb,ccc\r\n") == ["aaa", "bbb", "ccc"])
        #expect(try decode("aaa,bbb,ccc\n") == ["aaa", "bbb", "ccc"])
    }

    @Test func rfcQuotedFields() throws {
        #expect(try decode("\"aaa\",\"bbb\",\"ccc\"") == ["aaa", "bbb", "ccc"])
    }

    @Test func rfcLineBreaksInsideQuotes() throws {
        #expect(try decode("\"aaa\",\"b\r\nbb\",\"ccc\"") == ["aaa", "b\r\nbb", "ccc"])
    }

    @Test func rfcDoubledQuotes() throws {
        #expect(try decode("\"aaa\",\"b\"\"bb\",\"ccc\"") == ["aaa", "b\"bb", "ccc"])
    }

    @Test func emptyFieldsAndSpacesAreKept() throws {
        #expect(try decode("a,,b,") == ["a", "", "b", ""])
        #expect(try decode(" a , b ") == [" a ", " b "])
        #expect(try decode("\"x,y\",\"\",z") == ["x,y", "", "z"])
    }

    @Test func otherDialects() throws {
        let semicolon = try CSVCodec(separator: ";", quote: "'")
        #expect(try decode("a;'b;c';'it''s'", codec: semicolon) == ["a", "b;c", "it's"])
        #expect(try encode(["a", "b;c", "it's", "\"q\""], codec: semicolon) == "a;'b;c';'it''s';\"q\"")
        let tabs = try CSVCodec(config: CodecConfig(name: "csv", value: ["separator": "\t"]))
        #expect(try decode("a\tb c\t\"d\te\"", codec: tabs) == ["a", "b c", "d\te"])
    }

    @Test func encodeQuotesOnlyWhenNeeded() throws {
        let record: Value = ["plain", 1, -2, 1.5, true, nil, "x,y", "say \"hi\"", " pad", "pad ", "line\nbreak", "cr\r", .bytes([1, 2, 3])]
        #expect(try encode(record) == "plain,1,-2,1.5,true,,\"x,y\",\"say \"\"hi\"\"\",\" pad\",\"pad \",\"line\nbreak\",\"cr\r\",AQID")
    }

    // MARK: Bad input

    @Test func unterminatedQuoteNamesTheOpeningQuote() {
        #expect(decodeError("a,\"bc") == .syntax(codec: "csv", message: "quoted field is never closed", offset: 2))
        #expect(decodeError("a,\"b\"\"c") == .syntax(codec: "csv", message: "quoted field is never closed", offset: 2))
    }

    @Test func quoteInsideUnquotedFieldIsAnError() {
        #expect(decodeError("abc,de\"f\",g") == .syntax(
            codec: "csv", message: "quote inside an unquoted field (quote the whole field and double the quote)", offset: 6
        ))
    }

    @Test func textAfterClosingQuoteIsAnError() {
        #expect(decodeError("a,\"bc\"d,e") == .syntax(codec: "csv", message: "text after the closing quote of a field", offset: 6))
        #expect(decodeError("\"a\" ,b") == .syntax(codec: "csv", message: "text after the closing quote of a field", offset: 3))
    }

    @Test func lineBreakOutsideQuotesIsAnError() {
        #expect(decodeError("a,b\nc,d") == .syntax(codec: "csv", message: "line break outside quotes (a frame is one record)", offset: 3))
    }

    @Test func invalidUTF8NamesItsOffset() {
        #expect(decodeError([UInt8]("ab,".utf8) + [0xE2, 0x82] + [UInt8](",x".utf8)) == .invalidUTF8(codec: "csv", offset: 3))
    }

    @Test func nestedValuesAreUnencodable() {
        #expect(encodeError(["a", [1, 2]]) == .unencodable(codec: "csv", reason: "field 1 is an array; CSV fields must be scalars"))
        #expect(encodeError([["k": 1]]) == .unencodable(codec: "csv", reason: "field 0 is an object; CSV fields must be scalars"))
        #expect(encodeError(["k": "v"]) == .unencodable(codec: "csv", reason: "a record must be an array of fields, got object"))
        #expect(encodeError("text") == .unencodable(codec: "csv", reason: "a record must be an array of fields, got string"))
    }

    @Test func configurationIsChecked() {
        #expect(throws: CodecError.badConfig(name: "csv", key: "separator", message: "expected a single ASCII character, got ';;'")) {
            _ = try CSVCodec(config: CodecConfig(name: "csv", value: ["separator": ";;"]))
        }
        #expect(throws: CodecError.badConfig(name: "csv", key: "separator", message: "expected a single ASCII character, got '§'")) {
            _ = try CSVCodec(config: CodecConfig(name: "csv", value: ["separator": "§"]))
        }
        #expect(throws: CodecError.badConfig(name: "csv", key: "separator", message: "cannot be a line break")) {
            _ = try CSVCodec(config: CodecConfig(name: "csv", value: ["separator": "\n"]))
        }
        #expect(throws: CodecError.badConfig(name: "csv", key: "quote", message: "must differ from the separator")) {
            _ = try CSVCodec(config: CodecConfig(name: "csv", value: ["separator": "'", "quote": "'"]))
        }
        #expect(throws: CodecError.badConfig(name: "csv", key: "delimiter", message: "unknown key; known keys: quote, separator")) {
            _ = try CSVCodec(config: CodecConfig(name: "csv", value: ["delimiter": ";"]))
        }
        #expect(throws: CodecError.badConfig(name: "csv", key: "quote", message: "expected a string, got 1")) {
            _ = try CSVCodec(config: CodecConfig(name: "csv", value: ["quote": 1]))
        }
    }

    @Test func registryKnowsCSV() throws {
        var codec = try CodecRegistry.standard.makeCodec("csv", config: ["separator": ";"])
        #expect(try codec.decode(Array("a;b".utf8)) == ["a", "b"])
    }
}
