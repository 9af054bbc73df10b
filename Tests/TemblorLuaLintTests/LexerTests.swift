import Testing

@testable import TemblorLuaLint

@Suite struct LexerTests {
    private func kinds(_ source: String) -> [LuaToken.Kind] {
        LuaLexer.tokenize(Array(source.utf8)).tokens.map(\.kind)
    }

    private func failure(_ source: String) -> LuaSyntaxError? {
        LuaLexer.tokenize(Array(source.utf8)).failure
    }

    @Test func namesKeywordsAndSymbols() {
        #expect(
            kinds("local x <const> = a // b ~= c :: d ... e .. f") == [
                .keyword(.local), .name("x"), .symbol(.less), .name("const"), .symbol(.greater), .symbol(.assign),
                .name("a"), .symbol(.doubleSlash), .name("b"), .symbol(.notEqual), .name("c"), .symbol(.doubleColon),
                .name("d"), .symbol(.ellipsis), .name("e"), .symbol(.concat), .name("f"), .eof,
            ])
        #expect(kinds("a<<b>>c&d|e~f") == [
            .name("a"), .symbol(.shiftLeft), .name("b"), .symbol(.shiftRight), .name("c"), .symbol(.ampersand),
            .name("d"), .symbol(.pipe), .name("e"), .symbol(.tilde), .name("f"), .eof,
        ])
    }

    @Test func numerals() {
        #expect(kinds("3 345 0xff 0XBEBADA") == [.number(.integer(3)), .number(.integer(345)), .number(.integer(255)), .number(.integer(0xBEBADA)), .eof])
        #expect(kinds("3.0 3.1416 314.16e-2 0.31416E1 34e1") == [
            .number(.float(3.0)), .number(.float(3.1416)), .number(.float(3.1416)), .number(.float(3.1416)), .number(.float(340)), .eof,
        ])
        #expect(kinds("0x0.1E 0xA23p-4 0X1.921FB54442D18P+1 .5 5.") == [
            .number(.float(0.1171875)), .number(.float(162.1875)), .number(.float(Double.pi)), .number(.float(0.5)), .number(.float(5)), .eof,
        ])
        // Decimal integers that overflow become floats; hexadecimal ones wrap around.
        #expect(kinds("9223372036854775808 0xffffffffffffffff") == [.number(.float(9223372036854775808)), .number(.integer(-1)), .eof])
        #expect(failure("x = 3x")?.message == "malformed number near '3x'")
        #expect(failure("x = 1..2")?.message == "malformed number near '1..2'")
        #expect(failure("x = 0x")?.message == "malformed number near '0x'")
        #expect(failure("x = 1e")?.message == "malformed number near '1e'")
    }

    @Test func stringsAndEscapes() {
        #expect(kinds(#"'a\tb' "q\"\\" '\65\066\x43' '\u{48}\u{20AC}'"#) == [
            .string("a\tb"), .string("q\"\\"), .string("ABC"), .string("H\u{20AC}"), .eof,
        ])
        #expect(kinds("'a\\z  \n   b' 'x\\\ny'") == [.string("ab"), .string("x\ny"), .eof])
        #expect(kinds("[[\nfirst\nsecond]] [==[a]]b]=]c]==]") == [.string("first\nsecond"), .string("a]]b]=]c"), .eof])
        #expect(failure("x = 'abc\n'")?.message == "unfinished string near ''abc'")
        #expect(failure("x = 'abc")?.message == "unfinished string near <eof>")
        #expect(failure(#"x = "a\qb""#)?.message == #"invalid escape sequence near '"a\q'"#)
        #expect(failure(#"x = "\300""#)?.message == #"decimal escape too large near '"\300"'"#)
        #expect(failure(#"x = "\xZZ""#)?.message == #"hexadecimal digit expected near '"\xZ'"#)
        #expect(failure("x = [==[ abc ]=]")?.message == "unfinished long string (starting at line 1) near <eof>")
        #expect(failure("x = [=a")?.message == "invalid long string delimiter near '[='")
    }

    @Test func commentsAndPositions() {
        let source = "-- line comment\n--[==[ long\ncomment ]==] local\r\n  x --[[ inline ]] = 1\n#"
        let tokens = LuaLexer.tokenize(Array(source.utf8)).tokens
        #expect(tokens.map(\.kind) == [.keyword(.local), .name("x"), .symbol(.assign), .number(.integer(1)), .symbol(.hash), .eof])
        #expect(tokens.map(\.position) == [
            LuaPosition(line: 3, column: 14), LuaPosition(line: 4, column: 3), LuaPosition(line: 4, column: 20),
            LuaPosition(line: 4, column: 22), LuaPosition(line: 5, column: 1), LuaPosition(line: 5, column: 2),
        ])
        #expect(failure("--[[ never closed")?.message == "unfinished long comment (starting at line 1) near <eof>")
        // A first line starting with '#' is skipped.
        #expect(kinds("#!/usr/bin/env lua\nreturn") == [.keyword(.return), .eof])
    }
}
