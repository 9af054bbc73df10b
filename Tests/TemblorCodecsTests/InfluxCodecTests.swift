import TemblorCodecs
import TemblorTestSupport
import TemblorValue
import Testing


/// Names mixing every character the protocol escapes, backslashes in all positions and text.
private func randomName(_ random: inout SplitMix64) -> String {
    let alphabet: [String] = ["a", "Z", "0", "_", "-", ".", " ", ",", "=", "\\", "\"", "#", "'", "é", "🍭", "\t"]
    var s = random.pick(["cpu", "m", "x", ""])
    for _ in 0..<random.below(8) { s += random.pick(alphabet) }
    return s.isEmpty ? "k" : s
}

private func randomPoint(_ random: inout SplitMix64) -> Value {
    var measurement = randomName(&random)
    if measurement.hasPrefix("#") { measurement = "m" + measurement }
    var tags = Object()
    for _ in 0..<random.below(4) { tags[randomName(&random)] = .string(randomName(&random)) }
    var fields = Object()
    for _ in 0..<(1 + random.below(4)) {
        let value: Value
        switch random.below(5) {
        case 0: value = .float(Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF) * (random.below(2) == 0 ? 1 : -1))
        case 1: value = .int(Int64(bitPattern: random.next()))
        case 2: value = .uint(UInt64(Int64.max) + 1 + random.next() % UInt64(Int64.max))
        case 3: value = .bool(random.below(2) == 0)
        default: value = .string(randomName(&random) + random.pick(["", "\\", "\"", "\\\""]))
        }
        fields[randomName(&random)] = value
    }
    var point: Value = ["measurement": .string(measurement), "tags": .object(tags), "fields": .object(fields)]
    if random.below(2) == 0 { point["timestamp"] = .int(Int64(bitPattern: random.next()) >> 1) }
    return point
}

private func decode(_ text: String) throws(CodecError) -> Value {
    var codec = InfluxCodec()
    return try codec.decode(Array(text.utf8))
}

private func encode(_ value: Value) throws(CodecError) -> String {
    var codec = InfluxCodec()
    return String(decoding: try codec.encode(value), as: UTF8.self)
}

private func decodeError(_ bytes: [UInt8]) -> CodecError? {
    var codec = InfluxCodec()
    do {
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
    var codec = InfluxCodec()
    do {
        _ = try codec.encode(value)
        return nil
    } catch {
        return error
    }
}

private func syntax(_ message: String, _ offset: Int) -> CodecError {
    .syntax(codec: "influx", message: message, offset: offset)
}

private func unencodable(_ reason: String) -> CodecError {
    .unencodable(codec: "influx", reason: reason)
}

@Suite struct InfluxCodecTests {
    // MARK: Round trips

    @Test func randomPointsRoundTrip() throws {
        var random = SplitMix64(seed: 0x1F1E_DB00_0000_0042)
        for _ in 0..<3000 {
            let point = randomPoint(&random)
            let line = try encode(point)
            #expect(!line.contains("\n"))
            #expect(try decode(line) == point, "\(point) encoded as \(line)")
        }
    }

    @Test func decodedLinesEncodeBackToTheSameLine() throws {
        let lines = [
            "weather,location=us-midwest,season=summer temperature=82.5,humidity=71i,ok=true,note=\"hot \\\"day\\\"\" 1465839830100400200",
            "my\\ Measurement,tag\\ Key1=tag\\ Value1 fieldKey=\"string value\"",
            "m,path=C:\\temp f=18446744073709551615u",
            "m f=-1.234456e+78",
        ]
        for line in lines {
            #expect(try encode(decode(line)) == line)
        }
    }

    // MARK: Golden examples (InfluxDB v2 line protocol reference)

    @Test func specElementsExample() throws {
        #expect(try decode("myMeasurement,tag1=value1,tag2=value2 fieldKey=\"fieldValue\" 1556813561098000000") == [
            "measurement": "myMeasurement",
            "tags": ["tag1": "value1", "tag2": "value2"],
            "fields": ["fieldKey": "fieldValue"],
            "timestamp": 1_556_813_561_098_000_000,
        ])
    }

    @Test func timestampIsOmittedWhenAbsent() throws {
        let point = try decode("myMeasurement fieldKey=\"this is a string\"")
        #expect(point == ["measurement": "myMeasurement", "tags": [:], "fields": ["fieldKey": "this is a string"]])
        #expect(point["timestamp"] == nil)
        #expect(try decode("m f=1 -1465839830100400200")["timestamp"] == -1_465_839_830_100_400_200)
    }

    @Test func specFloatsIntegersAndUnsigned() throws {
        #expect(try decode("m fieldKey=1.0")["fields"] == ["fieldKey": 1.0])
        #expect(try decode("m fieldKey=1")["fields"] == ["fieldKey": 1.0])
        #expect(try decode("m fieldKey=-1.234456e+78")["fields"] == ["fieldKey": -1.234456e+78])
        #expect(try decode("m a=1i,b=12485903i,c=-12485903i")["fields"] == ["a": 1, "b": 12_485_903, "c": -12_485_903])
        #expect(try decode("m a=-9223372036854775808i,b=9223372036854775807i")["fields"] == ["a": .int(Int64.min), "b": .int(Int64.max)])
        #expect(try decode("m a=1u,b=12485903u,c=18446744073709551615u")["fields"] == ["a": 1, "b": 12_485_903, "c": .uint(UInt64.max)])
    }

    @Test func specBooleans() throws {
        let point = try decode("m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE")
        #expect(point["fields"] == ["a": true, "b": true, "c": true, "d": true, "e": true, "f": false, "g": false, "h": false, "i": false, "j": false])
    }

    @Test func specSpecialCharacters() throws {
        #expect(try decode("my\\ Measurement fieldKey=\"string value\"")["measurement"] == "my Measurement")
        #expect(try decode("myMeasurement fieldKey=\"\\\"string\\\" within a string\"")["fields"] == ["fieldKey": "\"string\" within a string"])
        #expect(try decode("myMeasurement,tag\\ Key1=tag\\ Value1,tag\\ Key2=tag\\ Value2 fieldKey=100")["tags"] == [
            "tag Key1": "tag Value1", "tag Key2": "tag Value2",
        ])
        #expect(try decode("myMeasurement,tagKey=🍭 fieldKey=\"Launch 🚀\" 1556813561098000000")["fields"] == ["fieldKey": "Launch 🚀"])
        #expect(try decode("m\\,x,k\\=1=v\\,2\\=3 f\\ k\\==1i")["measurement"] == "m,x")
        #expect(try decode("m\\,x,k\\=1=v\\,2\\=3 f\\ k\\==1i")["tags"] == ["k=1": "v,2=3"])
        #expect(try decode("m\\,x,k\\=1=v\\,2\\=3 f\\ k\\==1i")["fields"] == ["f k=": 1])
        // An equals sign needs no escape in a measurement.
        #expect(try decode("a=b f=1")["measurement"] == "a=b")
    }

    @Test func specEscapingBackslashes() throws {
        // The reference's table: \ -> \, \\ -> \, \\\ -> \\, \\\\ -> \\, \\\\\ -> \\\, \\\\\\ -> \\\.
        let table = [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3)]
        for (written, read) in table {
            let line = "m,t=a" + String(repeating: "\\", count: written) + "b f=\"x" + String(repeating: "\\", count: written) + "y\""
            let point = try decode(line)
            #expect(point["tags"] == ["t": .string("a" + String(repeating: "\\", count: read) + "b")], "\(line)")
            #expect(point["fields"] == ["f": .string("x" + String(repeating: "\\", count: read) + "y")], "\(line)")
        }
    }

    @Test func commentsAndBlankLinesHoldNoPoint() throws {
        #expect(try decode("# This is a comment") == .null)
        #expect(try decode("") == .null)
        #expect(try decode("   \r\n") == .null)
    }

    @Test func lineTerminatorIsIgnored() throws {
        #expect(try decode("m f=1i 10\r\n") == ["measurement": "m", "tags": [:], "fields": ["f": 1], "timestamp": 10])
        #expect(try decode("m f=1i\n") == ["measurement": "m", "tags": [:], "fields": ["f": 1]])
    }

    @Test func encodeSortsTagsAndKeepsFieldOrder() throws {
        let point: Value = [
            "measurement": "cpu",
            "tags": ["zone": "b", "host": "a", "Zeta": "c"],
            "fields": ["usage": 0.5, "count": 3, "big": .uint(UInt64.max), "up": true, "name": "x \"y\" \\z"],
            "timestamp": 1_556_813_561_098_000_000,
            "ignored": "extra keys are not written",
        ]
        #expect(try encode(point) == "cpu,Zeta=c,host=a,zone=b usage=0.5,count=3i,big=18446744073709551615u,up=true,name=\"x \\\"y\\\" \\\\z\" 1556813561098000000")
    }

    @Test func encodeWritesFloatsAsFloats() throws {
        #expect(try encode(["measurement": "m", "fields": ["f": 1.0]]) == "m f=1.0")
        #expect(try encode(["measurement": "m", "fields": ["f": 1e-05, "g": -0.0]]) == "m f=1e-05,g=-0.0")
        #expect(try decode("m f=1e-05,g=-0.0")["fields"] == ["f": 1e-05, "g": -0.0])
    }

    @Test func encodeEscapesNamesAndBackslashesOnlyWhereAmbiguous() throws {
        let point: Value = [
            "measurement": "my meas,ure=ment",
            "tags": ["tag key=": "a,b c", "path": "C:\\temp", "end": "x\\", "before": "a\\,b"],
            "fields": ["f k,=": 1],
            "timestamp": nil,
        ]
        let line = try encode(point)
        #expect(line == "my\\ meas\\,ure=ment,before=a\\\\\\,b,end=x\\\\,path=C:\\temp,tag\\ key\\==a\\,b\\ c f\\ k\\,\\==1i")
        var expected = point
        expected["timestamp"] = nil
        #expect(try decode(line) == expected)
    }

    // MARK: Bad input

    @Test func missingFieldsIsAnError() {
        #expect(decodeError("cpu") == syntax("missing fields (a point needs at least one)", 3))
        #expect(decodeError("cpu,host=a") == syntax("missing fields (a point needs at least one)", 10))
        #expect(decodeError("cpu,host=a   ") == syntax("missing fields (a point needs at least one)", 13))
    }

    @Test func missingMeasurementIsAnError() {
        #expect(decodeError(",host=a f=1") == syntax("missing measurement name", 0))
    }

    @Test func malformedTagsAreErrors() {
        #expect(decodeError("cpu,host f=1") == syntax("expected '=' after tag key 'host'", 8))
        #expect(decodeError("cpu,=a f=1") == syntax("missing tag key", 4))
        #expect(decodeError("cpu,host= f=1") == syntax("missing value for tag 'host'", 9))
        #expect(decodeError("cpu,host=a=b f=1") == syntax("unescaped '=' in the value of tag 'host'", 10))
    }

    @Test func malformedFieldsAreErrors() {
        #expect(decodeError("cpu =1") == syntax("missing field key", 4))
        #expect(decodeError("cpu f") == syntax("expected '=' after field key 'f'", 5))
        #expect(decodeError("cpu f=") == syntax("missing value for field 'f'", 6))
        #expect(decodeError("cpu f=,g=1") == syntax("missing value for field 'f'", 6))
        #expect(decodeError("cpu f=1,") == syntax("missing field after ','", 8))
        #expect(decodeError("cpu f=abc") == syntax("the value of field 'f' must be a number, a boolean or a double-quoted string", 6))
        #expect(decodeError("cpu f=\"a\"x") == syntax("unexpected character after the value of field 'f'", 9))
    }

    @Test func danglingBackslashIsABadEscape() {
        #expect(decodeError("cpu,host=a\\") == syntax("backslash at the end of the line escapes nothing", 10))
        #expect(decodeError("cpu\\") == syntax("backslash at the end of the line escapes nothing", 3))
    }

    @Test func unterminatedStringIsAnError() {
        #expect(decodeError("cpu f=\"abc") == syntax("string value is never closed", 6))
        #expect(decodeError("cpu f=\"abc\\\" 1") == syntax("string value is never closed", 6))
    }

    @Test func badNumbersAreErrors() {
        #expect(decodeError("m f=1.2.3") == syntax("bad number '1.2.3' for field 'f'", 4))
        #expect(decodeError("m f=1e") == syntax("bad number '1e' for field 'f'", 4))
        #expect(decodeError("m f=-") == syntax("bad number '-' for field 'f'", 4))
        #expect(decodeError("m f=1e999") == syntax("float '1e999' for field 'f' is out of range", 4))
        #expect(decodeError("m f=1.5i") == syntax("bad integer '1.5i' for field 'f'", 4))
        #expect(decodeError("m f=9223372036854775808i") == syntax("integer '9223372036854775808i' for field 'f' is out of the 64-bit range", 4))
        #expect(decodeError("m f=-9223372036854775809i") == syntax("integer '-9223372036854775809i' for field 'f' is out of the 64-bit range", 4))
        #expect(decodeError("m f=-1u") == syntax("bad unsigned integer '-1u' for field 'f'", 4))
        #expect(decodeError("m f=18446744073709551616u") == syntax("unsigned integer '18446744073709551616u' for field 'f' is out of the 64-bit range", 4))
    }

    @Test func badBooleanIsAnError() {
        #expect(decodeError("m f=tru") == syntax("bad boolean 'tru' for field 'f'", 4))
        #expect(decodeError("m a=1,f=fAlse") == syntax("bad boolean 'fAlse' for field 'f'", 8))
    }

    @Test func badTimestampIsAnError() {
        #expect(decodeError("m f=1 12a") == syntax("bad timestamp '12a' (expected an integer)", 6))
        #expect(decodeError("m f=1 1.5") == syntax("bad timestamp '1.5' (expected an integer)", 6))
        #expect(decodeError("m f=1 9223372036854775808") == syntax("timestamp '9223372036854775808' is out of the 64-bit range", 6))
        #expect(decodeError("m f=1 10 extra") == syntax("unexpected text after the timestamp", 9))
    }

    @Test func lineBreakInsideANameIsAnError() {
        #expect(decodeError("m,t=a\nb f=1") == syntax("line break inside a tag value", 5))
    }

    @Test func invalidUTF8NamesItsOffset() {
        #expect(decodeError([UInt8]("m,t=".utf8) + [0xF0, 0x9F] + [UInt8](" f=1".utf8)) == .invalidUTF8(codec: "influx", offset: 4))
    }

    // MARK: Unencodable values

    @Test func pointsWithoutMeasurementOrFieldsAreUnencodable() {
        #expect(encodeError("cpu") == unencodable("a point must be an object with measurement, tags and fields, got string"))
        #expect(encodeError(["fields": ["f": 1]]) == unencodable("the point has no 'measurement'"))
        #expect(encodeError(["measurement": "", "fields": ["f": 1]]) == unencodable("'measurement' must be a non-empty string, got \"\""))
        #expect(encodeError(["measurement": 5, "fields": ["f": 1]]) == unencodable("'measurement' must be a non-empty string, got 5"))
        #expect(encodeError(["measurement": "#m", "fields": ["f": 1]]) == unencodable("measurement '#m' starts with '#', which makes the line a comment"))
        #expect(encodeError(["measurement": "m"]) == unencodable("the point has no 'fields'"))
        #expect(encodeError(["measurement": "m", "fields": [:]]) == unencodable("the point has no fields; line protocol needs at least one"))
        #expect(encodeError(["measurement": "m", "fields": [1]]) == unencodable("'fields' must be an object, got array"))
    }

    @Test func nestedOrNullFieldValuesAreUnencodable() {
        #expect(encodeError(["measurement": "m", "fields": ["f": [1, 2]]]) == unencodable("field 'f' is a nested array; field values must be scalars"))
        #expect(encodeError(["measurement": "m", "fields": ["f": ["x": 1]]]) == unencodable("field 'f' is a nested object; field values must be scalars"))
        #expect(encodeError(["measurement": "m", "fields": ["f": nil]]) == unencodable("field 'f' is null; line protocol has no null (drop the field)"))
        #expect(encodeError(["measurement": "m", "fields": ["f": .bytes([1])]]) == unencodable("field 'f' is bytes; convert it to a string first"))
        #expect(encodeError(["measurement": "m", "fields": ["f": .float(.nan)]]) == unencodable("field 'f' is nan, which line protocol cannot carry"))
    }

    @Test func badTagsAndTimestampsAreUnencodable() {
        #expect(encodeError(["measurement": "m", "tags": ["t": 1], "fields": ["f": 1]]) == unencodable("tag 't' must be a string, got integer"))
        #expect(encodeError(["measurement": "m", "tags": ["t": ""], "fields": ["f": 1]]) == unencodable("tag 't' has an empty value; omit the tag instead"))
        #expect(encodeError(["measurement": "m", "tags": ["a", "b"], "fields": ["f": 1]]) == unencodable("'tags' must be an object, got array"))
        #expect(encodeError(["measurement": "m", "tags": ["t": "a\nb"], "fields": ["f": 1]]) == unencodable("tag value 'a\nb' holds a line break, which line protocol cannot carry"))
        #expect(encodeError(["measurement": "m", "fields": ["f": "a\nb"]]) == unencodable("field 'f' holds a line break, which line protocol cannot carry"))
        #expect(encodeError(["measurement": "m", "fields": ["f": 1], "timestamp": "now"]) == unencodable("'timestamp' must be an integer of nanoseconds (64-bit signed), got \"now\""))
        #expect(encodeError(["measurement": "m", "fields": ["f": 1], "timestamp": .uint(UInt64.max)]) == unencodable("'timestamp' must be an integer of nanoseconds (64-bit signed), got 18446744073709551615"))
    }

    @Test func registryKnowsInflux() throws {
        var codec = try CodecRegistry.standard.makeCodec("influx")
        #expect(try codec.decode(Array("m f=1i".utf8))["fields"] == ["f": 1])
        #expect(throws: CodecError.badConfig(name: "influx", key: "precision", message: "unknown key; it takes no configuration")) {
            _ = try CodecRegistry.standard.makeCodec("influx", config: ["precision": "ns"])
        }
    }
}
