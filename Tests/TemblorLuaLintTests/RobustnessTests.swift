import Testing

@testable import TemblorLuaLint

/// A small deterministic generator (SplitMix64), so that a failing input can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct RobustnessTests {
    static let fragments: [String] = [
        "(", ")", "{", "}", "[", "]", "=", "==", "end", "function", "local", "\"", "'", "[[", "]]", "[==[", "]=]", "--",
        "--[[", "\n", "\r", " ", "..", "...", ".", ":", "::", ",", ";", "x", "1", "0x", "1e", ".5", "\\", "\\z", "\\u{",
        "if", "then", "else", "elseif", "for", "in", "do", "while", "repeat", "until", "return", "break", "goto", "<const>",
        "<close>", "<", ">", "#", "~", "+", "-", "^", "//", "@", "\u{80}", "\u{0}", "é", "temblor.fs.read(", "self",
    ]

    /// Lints `source` and checks what must hold for any input.
    private func checkInvariants(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let report = LintFixtures.lint(source)
        let lineCount = source.utf8.reduce(1) { $1 == 0x0A || $1 == 0x0D ? $0 + 1 : $0 }
        for d in report.diagnostics {
            #expect(d.line >= 1 && d.line <= lineCount && d.column >= 1, "\(d) in \(source.debugDescription)", sourceLocation: sourceLocation)
        }
        let positions = report.diagnostics.map { [$0.line, $0.column] }
        #expect(positions == positions.sorted { $0.lexicographicallyPrecedes($1) }, sourceLocation: sourceLocation)
        let calls = report.hostIOCalls.map { [$0.line, $0.column] }
        #expect(calls == calls.sorted { $0.lexicographicallyPrecedes($1) }, sourceLocation: sourceLocation)
        do {
            _ = try LuaParser.parse(source)
        } catch {
            // Text that does not parse gives exactly its syntax error, and nothing else.
            #expect(report.diagnostics == [LuaLintDiagnostic(severity: .error, line: error.position.line, column: error.position.column, message: error.message)], sourceLocation: sourceLocation)
            #expect(report.hostIOCalls.isEmpty, sourceLocation: sourceLocation)
        }
    }

    @Test func truncatedFiles() {
        var generator = SplitMix64(state: 1)
        var count = 0
        for (path, text) in RepositoryLuaFiles.all {
            let bytes = Array(text.utf8)
            let cuts = Set((0..<60).map { _ in Int.random(in: 0...bytes.count, using: &generator) })
            for cut in cuts.sorted() {
                let prefix = String(decoding: bytes[..<cut], as: UTF8.self)
                checkInvariants(prefix)
                count += 1
            }
            // A plugin ending with the `}` of its `return {`: every cut inside that table leaves it unclosed.
            let trimmed = text.utf8.reversed().drop { $0 == 0x0A || $0 == 0x20 }
            if trimmed.first == UInt8(ascii: "}"), path.hasPrefix("examples/"), let open = text.range(of: "\nreturn {") {
                let start = text.utf8.distance(from: text.startIndex, to: open.upperBound)
                let end = trimmed.count - 1
                for cut in stride(from: start, to: end, by: max(1, (end - start) / 40)) {
                    let report = LintFixtures.lint(String(decoding: bytes[..<cut], as: UTF8.self))
                    #expect(report.diagnostics.count == 1 && report.diagnostics[0].severity == .error, "\(path) cut at \(cut)")
                    count += 1
                }
            }
        }
        #expect(count > 500)
    }

    @Test func mutatedFiles() {
        var generator = SplitMix64(state: 2)
        let files = RepositoryLuaFiles.all.map { Array($0.text.utf8) }
        #expect(!files.isEmpty)
        var parsed = 0
        for _ in 0..<2500 {
            var bytes = files.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let at = Int.random(in: 0...bytes.count, using: &generator)
                let fragment = Array(Self.fragments.randomElement(using: &generator)!.utf8)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &generator)))
                case 1: bytes.insert(contentsOf: fragment, at: at)
                default: bytes.replaceSubrange(at..<min(bytes.count, at + 1), with: fragment)
                }
            }
            let source = String(decoding: bytes, as: UTF8.self)
            checkInvariants(source)
            if (try? LuaParser.parse(source)) != nil { parsed += 1 }
        }
        // Some mutations keep the text valid (inside comments and strings): both outcomes occur.
        #expect(parsed > 100 && parsed < 2400)
    }

    @Test func tokenSoup() {
        var generator = SplitMix64(state: 3)
        for _ in 0..<1500 {
            let count = Int.random(in: 0...40, using: &generator)
            let source = (0..<count).map { _ in Self.fragments.randomElement(using: &generator)! }.joined(separator: Bool.random(using: &generator) ? " " : "")
            checkInvariants(source)
        }
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            checkInvariants(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func deepNesting() {
        for depth in [150, 197, 198, 500, 5000] {
            checkInvariants("x = " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth))
            checkInvariants(String(repeating: "do ", count: depth) + String(repeating: "end ", count: depth))
            checkInvariants("x = " + String(repeating: "{", count: depth) + String(repeating: "}", count: depth))
            checkInvariants("return " + String(repeating: "function() return ", count: depth) + "1" + String(repeating: " end", count: depth))
            checkInvariants("x = " + String(repeating: "-", count: depth) + "1")
            checkInvariants("x = 1" + String(repeating: " .. 1", count: depth))
            checkInvariants("x = a" + String(repeating: ".b", count: depth * 2))
            checkInvariants("x = f" + String(repeating: "()", count: depth * 2))
            checkInvariants("x = 1" + String(repeating: " + 1", count: depth * 2))
        }
        // The tallest chains allowed are linted, not only parsed.
        let tall = "local x = a" + String(repeating: ":b()", count: LuaParser.maxExpressionHeight / 2 - 1)
        #expect(LintFixtures.diagnostics(tall).isEmpty)
        let tallest = "local x = a" + String(repeating: ".b", count: LuaParser.maxExpressionHeight - 1)
        #expect(LintFixtures.diagnostics(tallest).isEmpty)
        #expect(LintFixtures.diagnostics(tallest + ".c") == ["1:\(tallest.utf8.count + 3): error: expression too complex near <eof>"])
    }
}
