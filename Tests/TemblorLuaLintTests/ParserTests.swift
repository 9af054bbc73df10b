import Testing

@testable import TemblorLuaLint

@Suite struct ParserTests {
    /// The expression returned by `return <source>`, fully parenthesised.
    private func shape(_ source: String) throws -> String {
        let chunk = try LuaParser.parse("return " + source)
        guard case .returnStatement(let values) = chunk.statements.last?.kind, let value = values.first else { return "?" }
        return render(value)
    }

    private func render(_ e: LuaExpression) -> String {
        switch e.kind {
        case .nilLiteral: return "nil"
        case .trueLiteral: return "true"
        case .falseLiteral: return "false"
        case .vararg: return "..."
        case .number(.integer(let n)): return "\(n)"
        case .number(.float(let d)): return "\(d)"
        case .string(let s): return "'\(s)'"
        case .function(let body): return "function(\(body.parameters.map(\.name).joined(separator: ","))\(body.isVararg ? ",..." : ""))"
        case .table(let fields): return "{\(fields.count)}"
        case .name(let n): return n
        case .field(let o, let n): return "\(render(o)).\(n.name)"
        case .index(let o, let k): return "\(render(o))[\(render(k))]"
        case .call(let f, let args): return "\(render(f))(\(args.map(render).joined(separator: ",")))"
        case .methodCall(let o, let m, let args): return "\(render(o)):\(m.name)(\(args.map(render).joined(separator: ",")))"
        case .parenthesized(let inner): return "(\(render(inner)))"
        case .unary(let op, let x): return "[\(op) \(render(x))]"
        case .binary(let op, let l, let r): return "[\(render(l)) \(op) \(render(r))]"
        }
    }

    @Test func operatorPrecedence() throws {
        #expect(try shape("1 + 2 * 3") == "[1 add [2 multiply 3]]")
        #expect(try shape("1 - 2 - 3") == "[[1 subtract 2] subtract 3]")
        #expect(try shape("2 ^ 3 ^ 2") == "[2 power [3 power 2]]")
        #expect(try shape("-x ^ 2") == "[negate [x power 2]]")
        #expect(try shape("a .. b .. c") == "[a concat [b concat c]]")
        #expect(try shape("1 + 2 .. 3") == "[[1 add 2] concat 3]")
        #expect(try shape("a or b and c == d") == "[a or [b and [c equal d]]]")
        #expect(try shape("a | b ~ c & d << 1") == "[a bitwiseOr [b bitwiseXor [c bitwiseAnd [d shiftLeft 1]]]]")
        #expect(try shape("not a == b") == "[[not a] equal b]")
        #expect(try shape("7 // 2 % 3") == "[[7 floorDivide 2] modulo 3]")
        #expect(try shape("#t + ~x") == "[[length t] add [bitwiseNot x]]")
        #expect(try shape("a < b == (c >= d)") == "[[a less b] equal ([c greaterEqual d])]")
    }

    @Test func suffixesAndCalls() throws {
        #expect(try shape("a.b[c]:d(1, 2).e") == "a.b[c]:d(1,2).e")
        #expect(try shape("f{1, 2}'s'\"t\"") == "f({2})('s')('t')")
        #expect(try shape("obj:m'x'") == "obj:m('x')")
        #expect(try shape("function(a, b, ...) return ... end") == "function(a,b,...)")
        #expect(try shape("{ x = 1, [2] = 3; 4, }") == "{3}")
        #expect(try shape("(f())") == "(f())")
    }

    @Test func everyStatement() throws {
        let source = """
            local a <const>, b <close> = 1, nil
            local function f(x, ...) return x end
            function t.a.b:c(y) self.y = y end
            x, y.z, w[1] = 1, 2, 3
            do local q end
            while false do break end
            repeat local r = 1 until r
            if a then elseif b then else end
            for i = 1, 10, 2 do end
            for k, v in pairs(t) do end
            ::top:: goto top
            f(1);;
            return
            """
        let chunk = try LuaParser.parse(source)
        let kinds = chunk.statements.map { statement -> String in
            switch statement.kind {
            case .assignment: return "assignment"
            case .call: return "call"
            case .local(let variables, _): return "local " + variables.map { "\($0.name.name)<\($0.attribute?.rawValue ?? "")>" }.joined(separator: ",")
            case .localFunction: return "localFunction"
            case .function(let name, _): return "function \(name.base.name).\(name.fields.map(\.name).joined(separator: ".")):\(name.method?.name ?? "")"
            case .doBlock: return "do"
            case .whileLoop: return "while"
            case .repeatLoop: return "repeat"
            case .ifStatement(let branches, let otherwise): return "if \(branches.count) \(otherwise != nil)"
            case .numericFor: return "numericFor"
            case .genericFor(let names, _, _): return "genericFor \(names.count)"
            case .returnStatement: return "return"
            case .breakStatement: return "break"
            case .gotoStatement: return "goto"
            case .label: return "label"
            }
        }
        #expect(kinds == [
            "local a<const>,b<close>", "localFunction", "function t.a.b:c", "assignment", "do", "while", "repeat",
            "if 2 true", "numericFor", "genericFor 2", "label", "goto", "call", "return",
        ])
        #expect(chunk.statements[3].position == LuaPosition(line: 4, column: 1))
    }

    /// `source` gives exactly one error, at `line:column`, with Lua's message.
    private func expectSyntaxError(_ source: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let report = LintFixtures.lint(source)
        #expect(report.diagnostics.map(\.description) == [expected], sourceLocation: sourceLocation)
        #expect(report.hostIOCalls.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func syntaxErrorsLikeLuas() {
        expectSyntaxError("local function f()\n  return 1\n", "3:1: error: 'end' expected (to close 'function' at line 1) near <eof>")
        expectSyntaxError("return {\n  api = 1,\n  on_event = function(ctx, e)\n    if e then\n  end,\n}\n",
            "5:6: error: unexpected symbol near ','")
        expectSyntaxError("if x then", "1:10: error: 'end' expected near <eof>")
        expectSyntaxError("x = = 1", "1:5: error: unexpected symbol near '='")
        expectSyntaxError("a, f() = 1", "1:8: error: syntax error near '='")
        expectSyntaxError("f() = 1", "1:5: error: syntax error near '='")
        expectSyntaxError("x = (1", "1:7: error: ')' expected near <eof>")
        expectSyntaxError("for i x", "1:7: error: '=' or 'in' expected near 'x'")
        expectSyntaxError("local x <foo> = 1", "1:10: error: unknown attribute 'foo'")
        expectSyntaxError("local a <close>, b <close> = 1", "1:18: error: multiple to-be-closed variables in local list")
        expectSyntaxError("return return", "1:8: error: unexpected symbol near 'return'")
        expectSyntaxError("return 1;;", "1:10: error: <eof> expected near ';'")
        expectSyntaxError("x = ...\nfunction f() return ... end", "2:21: error: cannot use '...' outside a vararg function near '...'")
        expectSyntaxError("x = {1, 2", "1:10: error: '}' expected near <eof>")
        expectSyntaxError("a.b:c = 1", "1:7: error: function arguments expected near '='")
        expectSyntaxError("x = @", "1:5: error: unexpected symbol near '@'")
        expectSyntaxError("x = \u{80}", "1:5: error: unexpected symbol near '<\\194>'")
        expectSyntaxError("function f(a, 1) end", "1:15: error: <name> or '...' expected near '1'")
        expectSyntaxError("break", "1:1: error: break outside loop at line 1")
        expectSyntaxError("while x do local function g() break end end", "1:31: error: break outside loop at line 1")
        expectSyntaxError("goto nowhere", "1:1: error: no visible label 'nowhere' for <goto> at line 1")
        expectSyntaxError("::a:: ::a::", "1:9: error: label 'a' already defined on line 1")
        expectSyntaxError("x = 3x", "1:5: error: malformed number near '3x'")
        expectSyntaxError("x = 'abc", "1:9: error: unfinished string near <eof>")
        expectSyntaxError("x = [==[ ab\ncd", "2:3: error: unfinished long string (starting at line 1) near <eof>")
        // Lua refuses 198 nested parentheses, and accepts 197.
        let nested = { (n: Int) in "x = " + String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) }
        expectSyntaxError(nested(198), "1:203: error: C stack overflow near '1'")
        #expect(LintFixtures.diagnostics("local " + nested(197)).isEmpty)
    }

    @Test func lexicalErrorsComeAfterEarlierSyntaxErrors() {
        // Lua reads tokens as it parses: a syntax error before a bad token is the one reported.
        expectSyntaxError("x = = 1\ny = 'unfinished", "1:5: error: unexpected symbol near '='")
        expectSyntaxError("x = 1\ny = 'unfinished", "2:16: error: unfinished string near <eof>")
    }

    @Test func gotoReachesLabelsOfEnclosingBlocks() throws {
        _ = try LuaParser.parse("do goto done end ::done::")
        _ = try LuaParser.parse("for i = 1, 3 do for j = 1, 3 do if j == 2 then goto continue end end ::continue:: end")
        _ = try LuaParser.parse("::top:: do goto top end")
        #expect(throws: LuaSyntaxError.self) { try LuaParser.parse("do ::inner:: end goto inner") }
    }

    @Test func chainsTooTallToWalkSafelyAreRefused() {
        let chain = "x = a" + String(repeating: ".b", count: LuaParser.maxExpressionHeight + 5)
        #expect(LintFixtures.diagnostics(chain).first?.hasSuffix("expression too complex near '.'") == true)
        let sum = "local x = 1" + String(repeating: " + 1", count: 900)
        #expect(LintFixtures.diagnostics(sum).isEmpty)
    }
}
