import Testing
import TemblorTestSupport
import TemblorValue
@testable import TemblorCodecs

/// Builds random values of every kind, biased towards the sizes where formats change.
private struct MessagePackValueGenerator {
    var rng: SplitMix64

    static let intBoundaries: [Int64] = [
        0, 1, 31, 32, 127, 128, 255, 256, 32767, 32768, 65535, 65536, Int64(Int32.max), Int64(UInt32.max),
        Int64(UInt32.max) + 1, Int64.max, -1, -31, -32, -33, -127, -128, -129, -32768, -32769,
        Int64(Int32.min), Int64(Int32.min) - 1, Int64.min,
    ]
    static let lengthBoundaries = [0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536]
    static let scalars: [String] = ["a", "z", "0", " ", "\"", "\u{0}", "é", "€", "中", "😀", "\u{10FFFF}"]

    mutating func int(below n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    /// A length near a format boundary; the large ones only rarely, to keep the test quick.
    mutating func length(small: Bool) -> Int {
        let pool = small ? Array(Self.lengthBoundaries.prefix(6)) : Self.lengthBoundaries
        let base = pool[int(below: pool.count)]
        let jitter = int(below: 3) - 1
        return max(0, base + jitter)
    }

    mutating func string(utf8Length: Int) -> String {
        var s = ""
        var count = 0
        while count < utf8Length {
            let scalar = Self.scalars[int(below: Self.scalars.count)]
            let size = scalar.utf8.count
            if count + size > utf8Length {
                s += String(repeating: "x", count: utf8Length - count)
                break
            }
            s += scalar
            count += size
        }
        return s
    }

    mutating func bytes(count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    mutating func key() -> String {
        string(utf8Length: int(below: 8))
    }

    mutating func value(depth: Int) -> Value {
        let big = int(below: 20) == 0
        let kinds = depth > 0 ? 11 : 8
        switch int(below: kinds) {
        case 0: return .null
        case 1: return .bool(rng.next() & 1 == 0)
        case 2:
            switch int(below: 3) {
            case 0: return .int(Self.intBoundaries[int(below: Self.intBoundaries.count)])
            case 1: return .int(Int64(bitPattern: rng.next()) >> Int64(int(below: 64)))
            default: return .int(Int64(int(below: 300)) - 150)
            }
        case 3: return .uint(int(below: 4) == 0 ? [UInt64.max, 1 << 63][int(below: 2)] : rng.next() | 1 << 63)
        case 4:
            switch int(below: 3) {
            case 0: return .float(Double(bitPattern: rng.next()))
            case 1: return .float([0.0, -0.0, .infinity, -.infinity, .nan, 1.5, .leastNonzeroMagnitude, .greatestFiniteMagnitude][int(below: 8)])
            default: return .float(Double(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))))
            }
        case 5: return .string(string(utf8Length: length(small: !big)))
        case 6: return .bytes(bytes(count: length(small: !big)))
        case 7:
            let type = Int8(truncatingIfNeeded: rng.next())
            let count = int(below: 2) == 0 ? [0, 1, 2, 3, 4, 8, 12, 16, 17][int(below: 9)] : length(small: !big)
            return MessagePackExtension(type: type, data: bytes(count: count)).value
        case 8, 9:
            let count = int(below: 10) == 0 ? length(small: true) : int(below: 5)
            return .array((0..<count).map { _ in value(depth: depth - 1) })
        default:
            let count = int(below: 10) == 0 ? length(small: true) : int(below: 5)
            var object = Object()
            for _ in 0..<count {
                object[key()] = value(depth: depth - 1)
            }
            return .object(object)
        }
    }
}

private func encode(_ value: Value) throws -> [UInt8] {
    var codec = MessagePackCodec()
    return try codec.encode(value)
}

private func decode(_ bytes: [UInt8], maxDepth: Int = MessagePackCodec.defaultMaxDepth) throws -> Value {
    var codec = MessagePackCodec(maxDepth: maxDepth)
    return try codec.decode(bytes)
}

/// The error decoding `bytes` throws, or `nil` when it decodes.
private func decodeError(_ bytes: [UInt8], maxDepth: Int = MessagePackCodec.defaultMaxDepth) -> CodecError? {
    var codec = MessagePackCodec(maxDepth: maxDepth)
    do {
        _ = try codec.decode(bytes)
        return nil
    } catch {
        return error
    }
}

/// Checks that `bytes` fail as a syntax error at `offset` whose message holds `fragment`.
private func expectSyntaxError(
    _ bytes: [UInt8], at offset: Int, mentioning fragment: String, maxDepth: Int = MessagePackCodec.defaultMaxDepth,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = decodeError(bytes, maxDepth: maxDepth)
    guard case .syntax(let codec, let message, let at)? = error else {
        Issue.record("expected a syntax error, got \(String(describing: error))", sourceLocation: sourceLocation)
        return
    }
    #expect(codec == "msgpack", sourceLocation: sourceLocation)
    #expect(at == offset, "message: \(message)", sourceLocation: sourceLocation)
    #expect(message.contains(fragment), "message: \(message)", sourceLocation: sourceLocation)
}

private func nested(_ levels: Int) -> Value {
    var value: Value = 1
    for _ in 0..<levels { value = [value] }
    return value
}

private func ext(_ type: Int8, _ data: [UInt8]) -> Value {
    MessagePackExtension(type: type, data: data).value
}

@Suite struct MessagePackCodecTests {
    // MARK: - Golden bytes

    /// Encodes `value` to exactly `bytes`, and decodes `bytes` back to `value`.
    private func expectGolden(_ value: Value, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try encode(value) == bytes, "encoding \(value)", sourceLocation: sourceLocation)
        #expect(try decode(bytes) == value, "decoding \(bytes.prefix(12))", sourceLocation: sourceLocation)
    }

    @Test func nilAndBool() throws {
        try expectGolden(nil, [0xC0])
        try expectGolden(false, [0xC2])
        try expectGolden(true, [0xC3])
    }

    @Test func integersUseTheSmallestFormat() throws {
        let cases: [(Value, [UInt8])] = [
            (0, [0x00]),
            (127, [0x7F]),
            (128, [0xCC, 0x80]),
            (255, [0xCC, 0xFF]),
            (256, [0xCD, 0x01, 0x00]),
            (65535, [0xCD, 0xFF, 0xFF]),
            (65536, [0xCE, 0x00, 0x01, 0x00, 0x00]),
            (.int(Int64(UInt32.max)), [0xCE, 0xFF, 0xFF, 0xFF, 0xFF]),
            (.int(Int64(UInt32.max) + 1), [0xCF, 0, 0, 0, 1, 0, 0, 0, 0]),
            (.int(Int64.max), [0xCF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            (.uint(UInt64(Int64.max) + 1), [0xCF, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            (.uint(UInt64.max), [0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            (-1, [0xFF]),
            (-32, [0xE0]),
            (-33, [0xD0, 0xDF]),
            (-128, [0xD0, 0x80]),
            (-129, [0xD1, 0xFF, 0x7F]),
            (-32768, [0xD1, 0x80, 0x00]),
            (-32769, [0xD2, 0xFF, 0xFF, 0x7F, 0xFF]),
            (.int(Int64(Int32.min)), [0xD2, 0x80, 0x00, 0x00, 0x00]),
            (.int(Int64(Int32.min) - 1), [0xD3, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF]),
            (.int(Int64.min), [0xD3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ]
        for (value, bytes) in cases {
            try expectGolden(value, bytes)
        }
    }

    @Test func wideIntegerFormatsDecodeToCanonicalValues() throws {
        #expect(try decode([0xCF, 0, 0, 0, 0, 0, 0, 0, 1]) == .int(1))
        #expect(try decode([0xCE, 0, 0, 0, 0x80]) == .int(128))
        #expect(try decode([0xCD, 0, 5]) == .int(5))
        #expect(try decode([0xCC, 5]) == .int(5))
        #expect(try decode([0xD0, 0x05]) == .int(5))
        #expect(try decode([0xD1, 0xFF, 0xFF]) == .int(-1))
        #expect(try decode([0xD2, 0x00, 0x00, 0x01, 0x00]) == .int(256))
        #expect(try decode([0xD3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE]) == .int(-2))
        // The uint64 just above Int64.max is the first one that needs `.uint`.
        guard case .uint(let u) = try decode([0xCF, 0x80, 0, 0, 0, 0, 0, 0, 0]) else {
            Issue.record("expected .uint")
            return
        }
        #expect(u == UInt64(Int64.max) + 1)
        guard case .int = try decode([0xCF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) else {
            Issue.record("expected .int for Int64.max")
            return
        }
        // Non-minimal input re-encodes minimally.
        #expect(try encode(decode([0xCF, 0, 0, 0, 0, 0, 0, 0, 1])) == [0x01])
    }

    @Test func floats() throws {
        try expectGolden(1.5, [0xCB, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0])
        try expectGolden(-0.0, [0xCB, 0x80, 0, 0, 0, 0, 0, 0, 0])
        try expectGolden(.float(.infinity), [0xCB, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0])
        #expect(try decode([0xCA, 0x3F, 0xC0, 0x00, 0x00]) == 1.5)
        #expect(try decode([0xCA, 0x3D, 0xCC, 0xCC, 0xCD]) == .float(Double(Float(0.1))))
        #expect(try decode([0xCA, 0xFF, 0x80, 0x00, 0x00]) == .float(-.infinity))
        guard case .float(let nan) = try decode([0xCA, 0x7F, 0xC0, 0x00, 0x00]) else {
            Issue.record("expected a float")
            return
        }
        #expect(nan.isNaN)
        // A float32 re-encodes as float64, which holds it exactly.
        #expect(try encode(decode([0xCA, 0x3F, 0xC0, 0x00, 0x00])) == [0xCB, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0])
        // Integral floats stay floats.
        try expectGolden(2.0, [0xCB, 0x40, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func strings() throws {
        try expectGolden("", [0xA0])
        try expectGolden("a", [0xA1, 0x61])
        try expectGolden("é€", [0xA5, 0xC3, 0xA9, 0xE2, 0x82, 0xAC])
        let cases: [(Int, [UInt8])] = [
            (31, [0xBF]),
            (32, [0xD9, 0x20]),
            (255, [0xD9, 0xFF]),
            (256, [0xDA, 0x01, 0x00]),
            (65535, [0xDA, 0xFF, 0xFF]),
            (65536, [0xDB, 0x00, 0x01, 0x00, 0x00]),
        ]
        for (length, header) in cases {
            let text = String(repeating: "s", count: length)
            try expectGolden(.string(text), header + Array(text.utf8))
        }
        // Wider formats than needed are valid input.
        #expect(try decode([0xD9, 0x01, 0x61]) == "a")
        #expect(try decode([0xDA, 0x00, 0x01, 0x61]) == "a")
        #expect(try decode([0xDB, 0x00, 0x00, 0x00, 0x00]) == "")
    }

    @Test func binaries() throws {
        let cases: [(Int, [UInt8])] = [
            (0, [0xC4, 0x00]),
            (1, [0xC4, 0x01]),
            (255, [0xC4, 0xFF]),
            (256, [0xC5, 0x01, 0x00]),
            (65535, [0xC5, 0xFF, 0xFF]),
            (65536, [0xC6, 0x00, 0x01, 0x00, 0x00]),
        ]
        for (length, header) in cases {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try expectGolden(.bytes(data), header + data)
        }
        #expect(try decode([0xC6, 0, 0, 0, 2, 0xC1, 0xFF]) == .bytes([0xC1, 0xFF]))
    }

    @Test func arrays() throws {
        try expectGolden([], [0x90])
        try expectGolden([1, "a", nil], [0x93, 0x01, 0xA1, 0x61, 0xC0])
        let cases: [(Int, [UInt8])] = [
            (15, [0x9F]),
            (16, [0xDC, 0x00, 0x10]),
            (65535, [0xDC, 0xFF, 0xFF]),
            (65536, [0xDD, 0x00, 0x01, 0x00, 0x00]),
        ]
        for (count, header) in cases {
            let elements = (0..<count).map { Value.int(Int64($0 % 100)) }
            try expectGolden(.array(elements), header + elements.map { UInt8($0.intValue!) })
        }
        #expect(try decode([0xDD, 0, 0, 0, 1, 0xC3]) == [true])
    }

    @Test func maps() throws {
        try expectGolden([:], [0x80])
        // The spec's own example.
        try expectGolden(
            ["compact": true, "schema": 0],
            [0x82, 0xA7] + Array("compact".utf8) + [0xC3, 0xA6] + Array("schema".utf8) + [0x00])
        let cases: [(Int, [UInt8])] = [
            (15, [0x8F]),
            (16, [0xDE, 0x00, 0x10]),
            (65535, [0xDE, 0xFF, 0xFF]),
            (65536, [0xDF, 0x00, 0x01, 0x00, 0x00]),
        ]
        for (count, header) in cases {
            var object = Object()
            var body: [UInt8] = []
            for i in 0..<count {
                let key = String(i, radix: 16)
                object[key] = .int(Int64(i % 2))
                body += [0xA0 | UInt8(key.utf8.count)] + Array(key.utf8) + [UInt8(i % 2)]
            }
            try expectGolden(.object(object), header + body)
        }
        // Key order is kept on both sides.
        let ordered = try decode([0x82, 0xA1, 0x62, 0x01, 0xA1, 0x61, 0x02])
        #expect(ordered.objectValue.map { Array($0.keys) } == ["b", "a"])
        #expect(try decode([0xDF, 0, 0, 0, 1, 0xA1, 0x6B, 0xC0]) == ["k": nil])
    }

    @Test func integerMapKeysBecomeDecimalStrings() throws {
        let bytes: [UInt8] = [
            0x84, 0x01, 0xA1, 0x61, 0xD0, 0x80, 0xC0, 0xCF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02,
            0xD9, 0x01, 0x6B, 0x03,
        ]
        let value = try decode(bytes)
        #expect(value == ["1": "a", "-128": nil, "18446744073709551615": 2, "k": 3])
        #expect(value.objectValue.map { Array($0.keys) } == ["1", "-128", "18446744073709551615", "k"])
    }

    @Test func repeatedMapKeyKeepsItsFirstPositionAndLastValue() throws {
        let value = try decode([0x83, 0xA1, 0x61, 0x01, 0xA1, 0x62, 0x02, 0xA1, 0x61, 0x03])
        #expect(value == ["a": 3, "b": 2])
        #expect(value.objectValue.map { Array($0.keys) } == ["a", "b"])
    }

    @Test func extensions() throws {
        try expectGolden(ext(5, [0x10]), [0xD4, 0x05, 0x10])
        try expectGolden(ext(5, [1, 2]), [0xD5, 0x05, 1, 2])
        try expectGolden(ext(5, [1, 2, 3, 4]), [0xD6, 0x05, 1, 2, 3, 4])
        try expectGolden(ext(-128, Array(1...8)), [0xD7, 0x80] + Array(1...8))
        try expectGolden(ext(127, Array(1...16)), [0xD8, 0x7F] + Array(1...16))
        try expectGolden(ext(1, []), [0xC7, 0x00, 0x01])
        try expectGolden(ext(1, [9, 9, 9]), [0xC7, 0x03, 0x01, 9, 9, 9])
        try expectGolden(ext(1, Array(repeating: 7, count: 17)), [0xC7, 0x11, 0x01] + Array(repeating: 7, count: 17))
        let cases: [(Int, [UInt8])] = [
            (255, [0xC7, 0xFF]),
            (256, [0xC8, 0x01, 0x00]),
            (65535, [0xC8, 0xFF, 0xFF]),
            (65536, [0xC9, 0x00, 0x01, 0x00, 0x00]),
        ]
        for (length, header) in cases {
            let data = (0..<length).map { UInt8(truncatingIfNeeded: $0) }
            try expectGolden(ext(42, data), header + [42] + data)
        }
        // The decoded shape is the documented one.
        #expect(try decode([0xD4, 0x05, 0x10]) == ["$ext": ["type": 5, "data": .bytes([0x10])]])
        // Wider formats than needed still decode, and re-encode in the smallest one.
        #expect(try encode(decode([0xC9, 0, 0, 0, 1, 0x05, 0x10])) == [0xD4, 0x05, 0x10])
        // Inside containers too.
        try expectGolden(["t": ext(3, [1])], [0x81, 0xA1, 0x74, 0xD4, 0x03, 0x01])
    }

    @Test func timestampsRoundTripInAllThreeForms() throws {
        // 32-bit: seconds only.
        let t32: [UInt8] = [0xD6, 0xFF, 0x00, 0x00, 0x00, 0x01]
        try expectGolden(ext(-1, [0, 0, 0, 1]), t32)
        let ts32 = try #require(MessagePackTimestamp(decode(t32)))
        #expect(ts32.seconds == 1 && ts32.nanoseconds == 0)
        #expect(try encode(ts32.value) == t32)

        // 64-bit: 30 bits of nanoseconds over 34 bits of seconds.
        let packed: UInt64 = 500 << 34 | 0x3_0000_0000
        let t64: [UInt8] = [0xD7, 0xFF] + (0..<8).map { UInt8(truncatingIfNeeded: packed >> UInt64(56 - 8 * $0)) }
        let ts64 = try #require(MessagePackTimestamp(decode(t64)))
        #expect(ts64.seconds == 0x3_0000_0000 && ts64.nanoseconds == 500)
        #expect(try encode(ts64.value) == t64)
        #expect(try encode(decode(t64)) == t64)

        // 96-bit: nanoseconds, then signed seconds.
        let t96: [UInt8] = [0xC7, 0x0C, 0xFF, 0x3B, 0x9A, 0xC9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let ts96 = try #require(MessagePackTimestamp(decode(t96)))
        #expect(ts96.seconds == -1 && ts96.nanoseconds == 999_999_999)
        #expect(try encode(ts96.value) == t96)
        #expect(try encode(decode(t96)) == t96)
    }

    @Test func timestampsPickTheSmallestForm() throws {
        func form(_ seconds: Int64, _ nanos: UInt32) throws -> Int {
            try #require(MessagePackTimestamp(seconds: seconds, nanoseconds: nanos)).extension.data.count
        }
        #expect(try form(0, 0) == 4)
        #expect(try form(Int64(UInt32.max), 0) == 4)
        #expect(try form(Int64(UInt32.max) + 1, 0) == 8)
        #expect(try form(0, 1) == 8)
        #expect(try form(1 << 34 - 1, 999_999_999) == 8)
        #expect(try form(1 << 34, 0) == 12)
        #expect(try form(-1, 0) == 12)
        #expect(try form(Int64.min, 0) == 12)
        #expect(MessagePackTimestamp(seconds: 0, nanoseconds: 1_000_000_000) == nil)
        // Not timestamps: wrong type, wrong length, nanoseconds out of range.
        #expect(MessagePackTimestamp(MessagePackExtension(type: 1, data: [0, 0, 0, 1])) == nil)
        #expect(MessagePackTimestamp(MessagePackExtension(type: -1, data: [0, 0, 1])) == nil)
        #expect(MessagePackTimestamp(MessagePackExtension(type: -1, data: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])) == nil)
        #expect(MessagePackTimestamp(MessagePackExtension(type: -1, data: [0x3B, 0x9A, 0xCA, 0x00] + Array(repeating: 0, count: 8))) == nil)
        // Every form survives a trip through its bytes.
        var rng = SplitMix64(seed: 7)
        for _ in 0..<1000 {
            let seconds = Int64(bitPattern: rng.next()) >> Int64(rng.next() % 64)
            let nanos = UInt32(rng.next() % 1_000_000_000) * UInt32(rng.next() % 2)
            let ts = try #require(MessagePackTimestamp(seconds: seconds, nanoseconds: nanos))
            #expect(MessagePackTimestamp(try decode(encode(ts.value))) == ts)
        }
    }

    @Test func objectsThatOnlyResembleExtensionsStayMaps() throws {
        let nearMisses: [Value] = [
            ["$ext": ["type": 200, "data": .bytes([1])]],  // type out of Int8 range
            ["$ext": ["type": 1, "data": "text"]],  // data not bytes
            ["$ext": ["type": 1.0, "data": .bytes([1])]],  // type not an integer
            ["$ext": ["type": 1, "data": .bytes([1]), "extra": nil]],
            ["$ext": ["type": 1]],
            ["$ext": ["type": 1, "data": .bytes([1])], "x": 1],
            ["$ext": .bytes([1])],
            ["$extra": ["type": 1, "data": .bytes([1])]],
        ]
        for value in nearMisses {
            let bytes = try encode(value)
            #expect(bytes.first.map { $0 & 0xF0 } == 0x80, "\(value) should encode as a map")
            #expect(try decode(bytes) == value)
        }
        // Key order inside the marker object does not matter.
        #expect(try encode(["$ext": ["data": .bytes([1]), "type": 2]]) == [0xD4, 0x02, 0x01])
    }

    // MARK: - Round trips

    @Test func seededRandomValuesRoundTrip() throws {
        for seed in UInt64(1)...3000 {
            var generator = MessagePackValueGenerator(rng: SplitMix64(seed: seed))
            let value = generator.value(depth: Int(seed % 8))
            let bytes = try encode(value)
            let decoded = try decode(bytes)
            #expect(decoded == value, "seed \(seed)")
            // The decoded value re-encodes to the very same bytes: order and formats are stable.
            #expect(try encode(decoded) == bytes, "seed \(seed)")
        }
    }

    @Test func deepestAllowedNestingRoundTrips() throws {
        let deep = nested(1024)
        let bytes = try encode(deep)
        #expect(bytes == Array(repeating: 0x91, count: 1024) + [0x01])
        #expect(try decode(bytes) == deep)
    }

    @Test func encodeAppendsToTheBuffer() throws {
        var codec = MessagePackCodec()
        var buffer: [UInt8] = [0xAA]
        try codec.encode([1, 2], into: &buffer)
        try codec.encode("x", into: &buffer)
        #expect(buffer == [0xAA, 0x92, 0x01, 0x02, 0xA1, 0x78])
    }

    // MARK: - Bad input

    @Test func emptyFrame() {
        expectSyntaxError([], at: 0, mentioning: "input ends where a value should start")
    }

    @Test func trailingBytes() {
        expectSyntaxError([0x01, 0x02], at: 1, mentioning: "1 trailing byte")
        expectSyntaxError([0x90, 0x90], at: 1, mentioning: "trailing")
        expectSyntaxError([0xC0, 0x00, 0x00, 0x00], at: 1, mentioning: "3 trailing byte")
        expectSyntaxError([0x81, 0xA1, 0x61, 0x01, 0xC0], at: 4, mentioning: "trailing")
    }

    @Test func everyCutOfAValidFrameIsASyntaxError() throws {
        for seed in UInt64(1)...300 {
            var generator = MessagePackValueGenerator(rng: SplitMix64(seed: seed))
            let bytes = try encode(generator.value(depth: 3))
            guard bytes.count < 2000 else { continue }
            for cut in 0..<bytes.count {
                let error = decodeError(Array(bytes[..<cut]))
                guard case .syntax(codec: "msgpack", _, let offset?)? = error else {
                    Issue.record("seed \(seed), cut \(cut): expected a syntax error, got \(String(describing: error))")
                    continue
                }
                #expect(offset <= cut, "seed \(seed), cut \(cut)")
            }
        }
    }

    @Test func corruptedFramesFailCleanlyOrDecode() throws {
        // Flipped bytes must never trap: each frame decodes or fails with a located error.
        var rng = SplitMix64(seed: 99)
        for seed in UInt64(1)...1000 {
            var generator = MessagePackValueGenerator(rng: SplitMix64(seed: seed))
            var bytes = try encode(generator.value(depth: 3))
            for _ in 0...(rng.next() % 4) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            switch decodeError(bytes) {
            case nil:
                break
            case .syntax(codec: "msgpack", _, let offset?):
                #expect(offset >= 0 && offset <= bytes.count, "seed \(seed)")
            case .invalidUTF8(codec: "msgpack", let offset):
                #expect(offset >= 0 && offset < bytes.count, "seed \(seed)")
            case let other?:
                Issue.record("seed \(seed): unexpected \(other)")
            }
        }
    }

    @Test func reservedByte() {
        expectSyntaxError([0xC1], at: 0, mentioning: "reserved byte 0xc1")
        expectSyntaxError([0x92, 0x01, 0xC1], at: 2, mentioning: "reserved byte 0xc1")
        expectSyntaxError([0x81, 0xC1, 0x01], at: 1, mentioning: "reserved byte 0xc1")
        expectSyntaxError([0x81, 0xA1, 0x61, 0xC1], at: 3, mentioning: "reserved byte 0xc1")
    }

    @Test func truncatedFixedWidthFields() {
        let formats: [(UInt8, String, Int)] = [
            (0xCC, "uint8", 1), (0xCD, "uint16", 2), (0xCE, "uint32", 4), (0xCF, "uint64", 8),
            (0xD0, "int8", 1), (0xD1, "int16", 2), (0xD2, "int32", 4), (0xD3, "int64", 8),
            (0xCA, "float32", 4), (0xCB, "float64", 8),
            (0xD9, "str8", 1), (0xDA, "str16", 2), (0xDB, "str32", 4),
            (0xC4, "bin8", 1), (0xC5, "bin16", 2), (0xC6, "bin32", 4),
            (0xC7, "ext8", 1), (0xC8, "ext16", 2), (0xC9, "ext32", 4),
            (0xDC, "array16", 2), (0xDD, "array32", 4), (0xDE, "map16", 2), (0xDF, "map32", 4),
            (0xD4, "fixext1", 1), (0xD5, "fixext2", 1), (0xD6, "fixext4", 1), (0xD7, "fixext8", 1), (0xD8, "fixext16", 1),
        ]
        for (marker, name, width) in formats {
            // Every cut short of the full field, at the top level and inside an array.
            for present in 0..<width {
                let field = Array(repeating: UInt8(0), count: present)
                expectSyntaxError([marker] + field, at: 0, mentioning: "\(name) is truncated")
                expectSyntaxError([0x91, marker] + field, at: 1, mentioning: "\(name) is truncated")
            }
        }
        // An ext whose length arrived but whose type byte did not.
        expectSyntaxError([0xC7, 0x01], at: 0, mentioning: "ext8 is truncated")
        expectSyntaxError([0xC9, 0, 0, 0, 0], at: 0, mentioning: "ext32 is truncated")
    }

    @Test func truncatedContainers() {
        // The header's count fits the bytes left, but the last element is missing.
        expectSyntaxError([0x93, 0xCD, 0x01, 0x02, 0x03], at: 5, mentioning: "input ends where a value should start")
        expectSyntaxError([0x81, 0xA1, 0x61], at: 3, mentioning: "input ends where a value should start")
        expectSyntaxError([0x82, 0xA1, 0x61, 0xCD, 0x01, 0x02], at: 6, mentioning: "input ends where a map key should start")
        expectSyntaxError([0x91, 0x91, 0x92, 0x01, 0xCD, 0x01], at: 4, mentioning: "uint16 is truncated")
    }

    @Test func lengthsPastTheEndOfTheFrame() {
        expectSyntaxError([0xA5, 0x61], at: 0, mentioning: "fixstr length 5 exceeds the 1 byte(s) left")
        expectSyntaxError([0xD9, 0x02, 0x61], at: 0, mentioning: "str8 length 2 exceeds the 1 byte(s) left")
        expectSyntaxError([0xDA, 0xFF, 0xFF], at: 0, mentioning: "str16 length 65535 exceeds the 0 byte(s) left")
        expectSyntaxError([0xDB, 0xFF, 0xFF, 0xFF, 0xFF, 0x61], at: 0, mentioning: "str32 length 4294967295 exceeds")
        expectSyntaxError([0xC4, 0x03, 0x00], at: 0, mentioning: "bin8 length 3 exceeds the 1 byte(s) left")
        expectSyntaxError([0xC5, 0x01, 0x00], at: 0, mentioning: "bin16 length 256 exceeds")
        expectSyntaxError([0xC6, 0xFF, 0xFF, 0xFF, 0xFF], at: 0, mentioning: "bin32 length 4294967295 exceeds")
        expectSyntaxError([0xD6, 0x01, 0x00, 0x00], at: 0, mentioning: "fixext4 length 4 exceeds the 2 byte(s) left")
        expectSyntaxError([0xD8, 0x01] + Array(repeating: 0, count: 15), at: 0, mentioning: "fixext16 length 16 exceeds")
        expectSyntaxError([0xC7, 0x05, 0x01, 0x00], at: 0, mentioning: "ext8 length 5 exceeds the 1 byte(s) left")
        expectSyntaxError([0xC8, 0x10, 0x00, 0x01], at: 0, mentioning: "ext16 length 4096 exceeds")
        expectSyntaxError([0xC9, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], at: 0, mentioning: "ext32 length 4294967295 exceeds")
        expectSyntaxError([0x92, 0x01], at: 0, mentioning: "fixarray claims 2 elements but only 1 byte(s) remain")
        expectSyntaxError([0xDC, 0xFF, 0xFF, 0x00], at: 0, mentioning: "array16 claims 65535 elements")
        expectSyntaxError([0xDD, 0xFF, 0xFF, 0xFF, 0xFF], at: 0, mentioning: "array32 claims 4294967295 elements but only 0")
        expectSyntaxError([0x82, 0xA1, 0x61, 0x01], at: 0, mentioning: "fixmap claims 2 entries but only 3 byte(s) remain")
        expectSyntaxError([0xDE, 0x00, 0x02, 0xA1, 0x61, 0x01], at: 0, mentioning: "map16 claims 2 entries")
        expectSyntaxError([0xDF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00], at: 0, mentioning: "map32 claims 4294967295 entries")
        // Nested, the offset is the header of the value at fault.
        expectSyntaxError([0x92, 0xA0, 0xDB, 0x7F, 0xFF, 0xFF, 0xFF], at: 2, mentioning: "str32 length 2147483647")
        expectSyntaxError([0x81, 0xA1, 0x61, 0xDD, 0, 1, 0, 0, 0x01], at: 3, mentioning: "array32 claims 65536")
    }

    @Test func nestingPastTheLimit() {
        expectSyntaxError(Array(repeating: 0x91, count: 1025) + [0x01], at: 1024, mentioning: "max_depth (1024)")
        expectSyntaxError(Array(repeating: 0x91, count: 100_000) + [0x01], at: 1024, mentioning: "fixarray nests deeper")
        expectSyntaxError([0x91, 0x91, 0x91, 0x01], at: 2, mentioning: "max_depth (2)", maxDepth: 2)
        expectSyntaxError(
            [0x81, 0xA1, 0x61, 0x81, 0xA1, 0x62, 0x01], at: 3, mentioning: "fixmap nests deeper than max_depth (1)", maxDepth: 1)
        expectSyntaxError([0x91, 0xDC, 0x00, 0x01, 0x01], at: 1, mentioning: "array16 nests deeper", maxDepth: 1)
        // At the limit itself, decoding succeeds; scalars and extensions do not count as levels.
        #expect(decodeError([0x91, 0x91, 0x01], maxDepth: 2) == nil)
        #expect(decodeError([0x91, 0xD4, 0x01, 0x01], maxDepth: 1) == nil)
    }

    @Test func invalidUTF8NamesTheOffendingByte() {
        let cases: [([UInt8], Int)] = [
            ([0xA3, 0x61, 0xFF, 0x62], 2),  // a byte that never occurs in UTF-8
            ([0xD9, 0x03, 0x61, 0x62, 0xC3], 4),  // a sequence cut by the end of the string
            ([0xA3, 0xED, 0xA0, 0x80], 1),  // an encoded surrogate
            ([0xA2, 0xC0, 0x80], 1),  // an overlong encoding
            ([0x91, 0xA1, 0x80], 2),  // a lone continuation byte, nested
            ([0x81, 0xA2, 0xC3, 0x28, 0x01], 2),  // in a map key
            ([0x81, 0xD9, 0x01, 0xFE, 0x01], 3),  // in a str8 map key
        ]
        for (bytes, offset) in cases {
            #expect(decodeError(bytes) == .invalidUTF8(codec: "msgpack", offset: offset), "\(bytes)")
        }
    }

    @Test func offsetsAreRelativeToTheFrame() {
        let storage: [UInt8] = [0xFF, 0xFF, 0xA2, 0x61, 0x80]
        var codec = MessagePackCodec()
        #expect(throws: CodecError.invalidUTF8(codec: "msgpack", offset: 2)) {
            try codec.decode(storage[2...])
        }
    }

    @Test func mapKeysThatAreNotStringsOrIntegers() {
        let cases: [([UInt8], Int, String)] = [
            ([0x81, 0xC0, 0x01], 1, "nil"),
            ([0x81, 0xC3, 0x01], 1, "bool"),
            ([0x81, 0xCA, 0, 0, 0, 0, 0x01], 1, "float32"),
            ([0x81, 0xCB, 0, 0, 0, 0, 0, 0, 0, 0, 0x01], 1, "float64"),
            ([0x81, 0xC4, 0x00, 0x01], 1, "bin8"),
            ([0x81, 0x90, 0x01], 1, "fixarray"),
            ([0x81, 0x80, 0x01], 1, "fixmap"),
            ([0x81, 0xDC, 0x00, 0x00, 0x01], 1, "array16"),
            ([0x81, 0xD4, 0x01, 0x00, 0x01], 1, "fixext1"),
            ([0x81, 0xC7, 0x00, 0x01, 0x01], 1, "ext8"),
            ([0x91, 0x82, 0xA1, 0x61, 0x01, 0xC2, 0x02], 5, "bool"),
        ]
        for (bytes, offset, kind) in cases {
            expectSyntaxError(bytes, at: offset, mentioning: "map key must be a string or an integer, not \(kind)")
        }
    }

    @Test func errorsReadWell() {
        let error = decodeError([0x92, 0x01])
        #expect(error?.description == "msgpack: fixarray claims 2 elements but only 1 byte(s) remain at byte 0")
    }

    // MARK: - Encoding limits

    @Test func encodingRefusesNestingPastTheLimit() throws {
        var codec = MessagePackCodec()
        #expect(throws: CodecError.unencodable(codec: "msgpack", reason: "containers nest deeper than max_depth (1024)")) {
            _ = try codec.encode(nested(1025))
        }
        var shallow = MessagePackCodec(maxDepth: 2)
        #expect(try shallow.encode(nested(2)) == [0x91, 0x91, 0x01])
        #expect(throws: CodecError.unencodable(codec: "msgpack", reason: "containers nest deeper than max_depth (2)")) {
            _ = try shallow.encode(["a": [["b": 1]]])
        }
    }

    // MARK: - Configuration

    @Test func registryMakesTheCodec() throws {
        var codec = try CodecRegistry.standard.makeCodec("msgpack")
        #expect(try codec.decode(codec.encode(["a": [1, 2.5, "x"]])) == ["a": [1, 2.5, "x"]])
        #expect(CodecRegistry.standard.codecNames.contains("msgpack"))
    }

    @Test func maxDepthConfig() throws {
        var codec = try CodecRegistry.standard.makeCodec("msgpack", config: ["max_depth": 1])
        #expect(throws: CodecError.syntax(codec: "msgpack", message: "fixarray nests deeper than max_depth (1)", offset: 1)) {
            try codec.decode([0x91, 0x91, 0x01] as [UInt8])
        }
        #expect(try codec.decode([0x91, 0x01] as [UInt8]) == [1])
        #expect(try MessagePackCodec(config: CodecConfig(name: "msgpack")).maxDepth == 1024)
    }

    @Test func badConfig() {
        #expect(throws: CodecError.badConfig(name: "msgpack", key: "depth", message: "unknown key; known keys: max_depth")) {
            _ = try CodecRegistry.standard.makeCodec("msgpack", config: ["depth": 3])
        }
        for bad: Value in [0, 1025, -1, "10", 2.5] {
            let error: CodecError?
            do throws(CodecError) {
                _ = try CodecRegistry.standard.makeCodec("msgpack", config: ["max_depth": bad])
                error = nil
            } catch let thrown {
                error = thrown
            }
            guard case .badConfig(name: "msgpack", key: "max_depth", let message)? = error else {
                Issue.record("expected badConfig for max_depth \(bad), got \(String(describing: error))")
                continue
            }
            #expect(message.contains("1...1024"))
        }
    }
}
