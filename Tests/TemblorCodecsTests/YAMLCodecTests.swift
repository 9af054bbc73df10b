import TemblorCodecs
import TemblorTestSupport
import TemblorValue
import Testing


/// Strings chosen to trip a YAML emitter: look-alikes of other types, indicators, breaks.
private let trickyStrings: [String] = [
    "", " ", "a", "123", "-1", "+1", "0x1F", "0o17", "1.5", "1e3", ".inf", "-.inf", ".nan", "~", "null", "Null",
    "true", "False", "yes", "no", "on", "OFF", "y", "n", "<<", "=", "- item", "-", "key: value", "#comment",
    "a # not comment", "[x]", "{y}", "&anchor", "*alias", "!tag", "|", ">", "'single'", "\"double\"", "%",
    "@", "`", "multi\nline", "trailing\n", "\nleading", "cr\rlf", "tab\there", " padded ", "\u{0}nul",
    "\u{7}bell", "\u{1B}esc", "é", "日本語", "emoji 🚀", "\u{85}nel", "line\u{2028}sep", "in\u{FEFF}side",
    "\u{FFFE}", "back\\slash", "colon:", ":colon", "?", "? q", "a,b", "2001-12-14", "12:30:45", "&binary",
    String(repeating: "long ", count: 40),
]

private func randomString(_ random: inout SplitMix64) -> String {
    if random.below(3) == 0 { return random.pick(trickyStrings) }
    let alphabet: [String] = ["a", "Z", "0", "9", " ", ":", "-", "#", "'", "\"", "\\", "\n", "\t", "é", "🚀", ",", "[", "}", "*", "&", "!", "?", "."]
    var s = ""
    for _ in 0..<random.below(12) { s += random.pick(alphabet) }
    return s
}

private func randomValue(_ random: inout SplitMix64, depth: Int) -> Value {
    let kinds = depth >= 4 ? 7 : 9
    switch random.below(kinds) {
    case 0: return .null
    case 1: return .bool(random.below(2) == 0)
    case 2:
        let special: [Int64] = [0, 1, -1, Int64.max, Int64.min, 9_007_199_254_740_993]
        return .int(random.below(3) == 0 ? random.pick(special) : Int64(bitPattern: random.next()))
    case 3: return .uint(UInt64(Int64.max) + 1 + random.next() % UInt64(Int64.max))
    case 4:
        let special: [Double] = [0, -0.0, 1, -1.5, .infinity, -.infinity, .nan, 1e300, .leastNonzeroMagnitude, 1e16, 0.1]
        return .float(random.below(3) == 0 ? random.pick(special) : Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF))
    case 5: return .string(randomString(&random))
    case 6:
        var bytes: [UInt8] = []
        for _ in 0..<random.below(20) { bytes.append(UInt8(truncatingIfNeeded: random.next())) }
        return .bytes(bytes)
    case 7:
        return .array((0..<random.below(5)).map { _ in randomValue(&random, depth: depth + 1) })
    default:
        var object = Object()
        for _ in 0..<random.below(5) {
            object[randomString(&random)] = randomValue(&random, depth: depth + 1)
        }
        return .object(object)
    }
}

private func decode(_ text: String, codec: YAMLCodec = YAMLCodec()) throws(CodecError) -> Value {
    var codec = codec
    return try codec.decode(Array(text.utf8))
}

private func encode(_ value: Value, style: YAMLCodec.Style = .block) throws(CodecError) -> String {
    var codec = YAMLCodec(style: style)
    return String(decoding: try codec.encode(value), as: UTF8.self)
}

/// The error decoding `bytes` throws, or `nil` when it decodes.
private func decodeError(_ bytes: [UInt8], codec: YAMLCodec = YAMLCodec()) -> CodecError? {
    var codec = codec
    do {
        _ = try codec.decode(bytes)
        return nil
    } catch {
        return error
    }
}

private func decodeError(_ text: String, codec: YAMLCodec = YAMLCodec()) -> CodecError? {
    decodeError(Array(text.utf8), codec: codec)
}

@Suite struct YAMLCodecTests {
    // MARK: Round trips

    @Test func randomValuesRoundTripInBothStyles() throws {
        var random = SplitMix64(seed: 0x59A4_1C0D_E5EE_D001)
        for _ in 0..<600 {
            let value = randomValue(&random, depth: 0)
            for style in YAMLCodec.Style.allCases {
                let text = try encode(value, style: style)
                let back = try decode(text)
                #expect(back == value, "\(style): \(value) encoded as \(text) decoded as \(back)")
                if style == .flow {
                    #expect(!text.contains("\n"), "flow output spans lines: \(text)")
                }
            }
        }
    }

    @Test func stringsThatLookLikeOtherTypesStayStrings() throws {
        for s in trickyStrings {
            let text = try encode(.string(s))
            #expect(try decode(text) == .string(s), "\(s.debugDescription) encoded as \(text)")
            let keyed = try encode(["k": .string(s), s: 1])
            #expect(try decode(keyed) == ["k": .string(s), s: 1], "\(keyed)")
        }
        #expect(try encode("123") == "\"123\"")
        #expect(try encode("true") == "\"true\"")
        #expect(try encode("~") == "\"~\"")
        #expect(try encode("plain") == "plain")
    }

    @Test func sixtyFourBitIntegersKeepTheirPrecision() throws {
        let value: Value = [.int(Int64.max), .int(Int64.min), .uint(UInt64.max), .int(9_007_199_254_740_993)]
        #expect(try encode(value, style: .flow) == "[9223372036854775807, -9223372036854775808, 18446744073709551615, 9007199254740993]")
        #expect(try decode("[9223372036854775807, -9223372036854775808, 18446744073709551615, 9007199254740993]") == value)
    }

    @Test func floatsAreWrittenSoTheyReadBackAsFloats() throws {
        #expect(try encode(.float(1)) == "1.0")
        #expect(try encode(.float(1e16)) == "1.0e+16")
        #expect(try encode(.float(.infinity)) == ".inf")
        #expect(try encode(.float(-.infinity)) == "-.inf")
        #expect(try encode(.float(.nan)) == ".nan")
        #expect(try decode("1.0e+16") == .float(1e16))
    }

    @Test func bytesEncodeAsBinaryTag() throws {
        #expect(try encode(.bytes(Array("hello".utf8))) == "!!binary aGVsbG8=")
        #expect(try encode(["b": .bytes([])]) == "b: !!binary ''")
        #expect(try decode("b: !!binary ''") == ["b": .bytes([])])
        // A string spelling the marker anchor does not confuse the rewrite.
        let value: Value = ["s": "&binary x", "b": .bytes([1, 2, 3])]
        let text = try encode(value)
        #expect(try decode(text) == value, "\(text)")
        #expect(text.contains("s: '&binary x'") || text.contains("s: \"&binary x\""), "\(text)")
    }

    @Test func objectsKeepInsertionOrder() throws {
        let text = try encode(["zebra": 1, "apple": 2, "mango": 3])
        #expect(text == "zebra: 1\napple: 2\nmango: 3")
        let decoded = try decode("zebra: 1\napple: 2\nmango: 3\n")
        #expect(decoded.objectValue.map { Array($0.keys) } == ["zebra", "apple", "mango"])
    }

    @Test func flowStyleWritesOneLine() throws {
        let value: Value = ["a": [1, "two", nil], "b": ["c": "multi\nline"]]
        let text = try encode(value, style: .flow)
        #expect(text == "{a: [1, two, null], b: {c: \"multi\\nline\"}}")
        #expect(try decode(text) == value)
    }

    // MARK: Golden examples (YAML 1.2 specification, chapter 2 and the core schema)

    @Test func specExampleSequenceOfScalars() throws {
        #expect(try decode("- Mark McGwire\n- Sammy Sosa\n- Ken Griffey\n") == ["Mark McGwire", "Sammy Sosa", "Ken Griffey"])
    }

    @Test func specExampleMappingScalarsToScalars() throws {
        let text = "hr:  65    # Home runs\navg: 0.278 # Batting average\nrbi: 147   # Runs Batted In\n"
        #expect(try decode(text) == ["hr": 65, "avg": 0.278, "rbi": 147])
    }

    @Test func specExampleSequenceOfMappingsAndFlow() throws {
        let text = "-\n  name: Mark McGwire\n  hr:   65\n  avg:  0.278\n- [name        , hr, avg  ]\n- {name: Sammy Sosa, hr: 63}\n"
        #expect(try decode(text) == [
            ["name": "Mark McGwire", "hr": 65, "avg": 0.278],
            ["name", "hr", "avg"],
            ["name": "Sammy Sosa", "hr": 63],
        ])
    }

    @Test func specExampleAnchorsAndAliases() throws {
        let text = "---\nhr:\n  - Mark McGwire\n  # Following node labeled SS\n  - &SS Sammy Sosa\nrbi:\n  - *SS # Subsequent occurrence\n  - Ken Griffey\n"
        #expect(try decode(text) == ["hr": ["Mark McGwire", "Sammy Sosa"], "rbi": ["Sammy Sosa", "Ken Griffey"]])
    }

    @Test func specExampleBlockScalars() throws {
        let text = "literal: |\n  \\//||\\/||\n  // ||  ||__\nfolded: >\n  Mark McGwire's\n  year was crippled\n  by a knee injury.\n"
        #expect(try decode(text) == [
            "literal": "\\//||\\/||\n// ||  ||__\n",
            "folded": "Mark McGwire's year was crippled by a knee injury.\n",
        ])
    }

    @Test func specExampleQuotedScalars() throws {
        let text = "unicode: \"Sosa did fine.\\u263A\"\ncontrol: \"\\b1998\\t1999\\t2000\\n\"\nsingle: '\"Howdy!\" he cried.'\nquoted: ' # Not a ''comment''.'\n"
        #expect(try decode(text) == [
            "unicode": "Sosa did fine.\u{263A}",
            "control": "\u{8}1998\t1999\t2000\n",
            "single": "\"Howdy!\" he cried.",
            "quoted": " # Not a 'comment'.",
        ])
    }

    @Test func coreSchemaScalars() throws {
        let text = """
        A null: null
        Also a null: ~
        Empty:
        Booleans: [ true, True, false, FALSE ]
        Integers: [ 0, 0o7, 0x3A, -19, +12 ]
        Floats: [ 0., -0.0, .5, +12e03, -2E+05 ]
        Also floats: [ .inf, -.Inf, +.INF, .NAN ]
        Strings: [ yes, 1_000, 0b101, 1.2.3, "12", '0x1' ]
        """
        #expect(try decode(text) == [
            "A null": nil, "Also a null": nil, "Empty": nil,
            "Booleans": [true, true, false, false],
            "Integers": [0, 7, 58, -19, 12],
            "Floats": [0.0, -0.0, 0.5, 12000.0, -200000.0],
            "Also floats": [.float(.infinity), .float(-.infinity), .float(.infinity), .float(.nan)],
            "Strings": ["yes", "1_000", "0b101", "1.2.3", "12", "0x1"],
        ])
    }

    @Test func explicitTags() throws {
        let text = "s: !!str 12\ni: !!int \"42\"\nf: !!float 3\nb: !!bool \"true\"\nn: !!null ''\nx: !custom 5\nq: ! 5\nbin: !!binary |\n  aGVs\n  bG8=\n"
        #expect(try decode(text) == ["s": "12", "i": 42, "f": 3.0, "b": true, "n": nil, "x": 5, "q": "5", "bin": .bytes(Array("hello".utf8))])
    }

    @Test func integersBeyondSixtyFourBitsBecomeFloats() throws {
        #expect(try decode("18446744073709551616") == .float(18446744073709551616.0))
        #expect(try decode("-9223372036854775809") == .float(-9223372036854775809.0))
        #expect(try decode("18446744073709551615") == .uint(UInt64.max))
    }

    @Test func nonStringKeysBecomeTheirText() throws {
        #expect(try decode("1: one\ntrue: yes\n0x1F: hex\n~: tilde\n") == ["1": "one", "true": "yes", "0x1F": "hex", "~": "tilde"])
    }

    @Test func emptyFrameIsNull() throws {
        #expect(try decode("") == .null)
        #expect(try decode("# only a comment\n") == .null)
        #expect(try decode("---\n...\n") == .null)
    }

    @Test func aliasesWithinTheBudgetExpand() throws {
        let text = "base: &b {x: 1, y: [2, 3]}\ncopy: *b\nlist: [*b, *b]\n"
        let base: Value = ["x": 1, "y": [2, 3]]
        #expect(try decode(text) == ["base": base, "copy": base, "list": [base, base]])
        #expect(try decode("a: &k 1\nb: *k\n") == ["a": 1, "b": 1])
    }

    @Test func deepNestingWithinLibyamlLimitDecodes() throws {
        let depth = 900
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = try decode(text)
        var levels = 0
        while case .array(let inner) = value {
            levels += 1
            value = inner.first ?? .null
        }
        #expect(levels == depth)
    }

    // MARK: Bad input

    @Test func syntaxErrorNamesLineColumnAndOffset() {
        let error = decodeError("a: [1\nb: 2\n")
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("line 2, column 2"), "\(message)")
        #expect(message.contains("while parsing a flow sequence at line 1, column 4"), "\(message)")
        #expect(offset == 7)
    }

    @Test func syntaxErrorOffsetCountsMultibyteCharacters() {
        // Column 8 is the `x`, which starts at byte 9 because of the three-byte character.
        let error = decodeError("k: \"\u{65E5}\" x\n")
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("line 1, column 8"), "\(message)")
        #expect(offset == 9)
    }

    @Test func secondDocumentIsAnError() {
        let error = decodeError("a: 1\n---\nb: 2\n")
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("one YAML document"), "\(message)")
        #expect(message.contains("line 2, column 1"), "\(message)")
        #expect(offset == 5)
    }

    @Test func invalidUTF8NamesItsOffset() {
        #expect(decodeError([UInt8]("a: ".utf8) + [0xC3, 0x28] + [UInt8]("\n".utf8)) == .invalidUTF8(codec: "yaml", offset: 3))
        #expect(decodeError([UInt8]("k: v".utf8) + [0xFF]) == .invalidUTF8(codec: "yaml", offset: 4))
    }

    @Test func controlCharacterIsRejectedWithOffset() {
        let error = decodeError("a: b\u{1}c\n")
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("control characters"), "\(message)")
        #expect(offset == 4)
    }

    @Test func billionLaughsIsRefused() {
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let error = decodeError(text)
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("more than 1000000 values"), "\(message)")
        #expect(message.contains("max_nodes"), "\(message)")
        #expect(offset != nil)
    }

    @Test func nodeBudgetIsConfigurable() throws {
        let codec = try YAMLCodec(config: CodecConfig(name: "yaml", value: ["max_nodes": 5]))
        #expect(try decode("[1, 2, 3, 4]", codec: codec) == [1, 2, 3, 4])
        guard case .syntax("yaml", let message, _)? = decodeError("[1, 2, 3, 4, 5]", codec: codec) else {
            Issue.record("expected the node budget to be enforced")
            return
        }
        #expect(message.contains("more than 5 values"), "\(message)")
    }

    @Test func aliasAsMappingKeyIsRefusedBeforeExpansion() {
        // Hashing `*i` as a key would walk 10^9 nodes inside the parser.
        var text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let keyLine = text.utf8.count
        text += "? *i\n: boom\n"
        let error = decodeError(text)
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("an alias cannot be a mapping key"), "\(message)")
        #expect(offset == keyLine + 2)

        let flow = decodeError("a: &x [1]\nb: {*x : 2}\n")
        guard case .syntax("yaml", let flowMessage, let flowOffset)? = flow else {
            Issue.record("expected a syntax error, got \(String(describing: flow))")
            return
        }
        #expect(flowMessage.contains("an alias cannot be a mapping key"), "\(flowMessage)")
        #expect(flowOffset == 14)
    }

    @Test func collectionKeyIsRefused() {
        let error = decodeError("? [a, b]\n: c\n")
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("mapping keys must be scalars"), "\(message)")
        #expect(offset == 2)
    }

    @Test func aliasChainsCannotNestPastTheDepthLimit() {
        // Each anchor nests the previous one 200 levels deeper: 6 of them reach 1200 levels.
        var text = ""
        var previous = "0"
        for n in 1...6 {
            let open = String(repeating: "[", count: 200)
            let close = String(repeating: "]", count: 200)
            text += "k\(n): &a\(n) \(open)\(n == 1 ? previous : "*a\(n - 1)")\(close)\n"
            previous = "*a\(n)"
        }
        guard case .syntax("yaml", let message, _)? = decodeError(text) else {
            Issue.record("expected the depth limit to be enforced")
            return
        }
        #expect(message.contains("deeper than 1000 levels"), "\(message)")
    }

    @Test func nestingPastLibyamlsLimitIsRefused() {
        var text = ""
        for level in 0..<1500 { text += String(repeating: " ", count: level) + "k:\n" }
        guard case .syntax("yaml", let message, let offset)? = decodeError(text) else {
            Issue.record("expected the nesting limit to be enforced")
            return
        }
        #expect(message.contains("Maximum nesting level reached"), "\(message)")
        #expect(message.contains("line 1000, column 1000"), "\(message)")
        // Lines 1...999 hold 0...998 spaces and "k:\n"; then 999 more spaces.
        #expect(offset == (0..<999).reduce(0) { $0 + $1 + 3 } + 999)
    }

    @Test func undefinedAliasIsAnError() {
        let error = decodeError("a: *nowhere\n")
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("undefined alias"), "\(message)")
        #expect(offset == 3)
    }

    @Test func duplicateKeyIsAnError() {
        let error = decodeError("a: 1\nb: 2\na: 3\n")
        guard case .syntax("yaml", let message, let offset)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(message.contains("duplicate mapping key 'a'"), "\(message)")
        #expect(message.contains("line 1, column 1"), "\(message)")
        #expect(offset == 0)
        // Keys that differ as YAML but share a text collide once they become strings.
        guard case .syntax("yaml", let message2, let offset2)? = decodeError("1: a\n\"1\": b\n") else {
            Issue.record("expected a duplicate-key error")
            return
        }
        #expect(message2.contains("duplicate mapping key '1'"), "\(message2)")
        #expect(offset2 == 0)
        guard case .syntax("yaml", let message3, let offset3)? = decodeError("!!int 1: a\n1: b\n") else {
            Issue.record("expected a duplicate-key error")
            return
        }
        #expect(message3.contains("duplicate mapping key '1'"), "\(message3)")
        #expect(offset3 == 11)
    }

    @Test func badlyTaggedScalarsAreErrors() {
        let cases: [(String, String, Int)] = [
            ("x: !!binary 'not*base64'\n", "not valid base64", 3),
            ("x: !!int abc\n", "tagged !!int", 3),
            ("x: !!bool maybe\n", "tagged !!bool", 3),
            ("x: !!float abc\n", "tagged !!float", 3),
        ]
        for (text, expected, expectedOffset) in cases {
            guard case .syntax("yaml", let message, let offset)? = decodeError(text) else {
                Issue.record("expected a syntax error for \(text)")
                continue
            }
            #expect(message.contains(expected), "\(message)")
            #expect(offset == expectedOffset, "\(text)")
        }
    }

    // MARK: Encoding limits and configuration

    @Test func encodingTooDeepIsUnencodable() {
        var value: Value = 1
        for _ in 0..<1001 { value = [value] }
        var codec = YAMLCodec()
        #expect(throws: CodecError.unencodable(codec: "yaml", reason: "value nests deeper than 1000 levels")) {
            _ = try codec.encode(value)
        }
    }

    @Test func configurationIsChecked() throws {
        #expect(throws: CodecError.badConfig(name: "yaml", key: "indent", message: "unknown key; known keys: max_nodes, style")) {
            _ = try YAMLCodec(config: CodecConfig(name: "yaml", value: ["indent": 2]))
        }
        #expect(throws: CodecError.badConfig(name: "yaml", key: "style", message: "expected one of block, flow, got 'fancy'")) {
            _ = try YAMLCodec(config: CodecConfig(name: "yaml", value: ["style": "fancy"]))
        }
        #expect(throws: CodecError.self) {
            _ = try YAMLCodec(config: CodecConfig(name: "yaml", value: ["max_nodes": 0]))
        }
        let codec = try YAMLCodec(config: CodecConfig(name: "yaml", value: ["style": "flow", "max_nodes": 10]))
        #expect(codec.style == .flow)
        #expect(codec.maxNodes == 10)
    }

    @Test func registryKnowsYAML() throws {
        var codec = try CodecRegistry.standard.makeCodec("yaml")
        #expect(try codec.decode(Array("a: [1, x]".utf8)) == ["a": [1, "x"]])
    }
}
