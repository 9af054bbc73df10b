import Testing
import TemblorLuaLint

@Suite struct GlobalAssignmentCheckTests {
    private let consequence = "(a plugin's globals are not part of ctx.state and are lost when its state restarts)"

    private func warnings(_ source: String) -> [String] {
        LintFixtures.lint(source).diagnostics.filter { $0.severity == .warning }.map { "\($0.line):\($0.column) \($0.message)" }
    }

    /// The names, with positions, of the globals `source` assigns.
    private func globals(_ source: String) -> [String] {
        LintFixtures.lint(source).diagnostics.compactMap { d in
            guard d.severity == .warning, let start = d.message.firstIndex(of: "'") else { return nil }
            let rest = d.message[d.message.index(after: start)...]
            return "\(rest[..<rest.firstIndex(of: "'")!])@\(d.line):\(d.column)"
        }
    }

    @Test func messages() {
        #expect(warnings("count = count + 1") == ["1:1 assignment to global 'count': declare it with 'local' \(consequence)"])
        #expect(warnings("\nfunction helper() end") == ["2:10 assignment to global 'helper': declare it with 'local function helper' \(consequence)"])
        #expect(globals("x, y = 1, 2") == ["x@1:1", "y@1:4"])
    }

    @Test func localsParametersAndFields() {
        #expect(globals("local a; a = 1; local function f(p) p = 2; f = nil end; t = {}; t.x = 1") == ["t@1:57"])
        #expect(globals("local a; a = 1; local function f(p) p = 2; f = nil end") == [])
        #expect(globals("local t = {}; t.x = 1; t[1] = 2; t.a.b = 3; function t.m() end; function t:n() end") == [])
        #expect(globals("local t <const> = {}; t.x = 1") == [])
    }

    @Test func scopesEnd() {
        let source = """
            do local a = 1 end
            a = 2
            if x then local b end
            b = 3
            local function f(c) end
            c = 4
            for i = 1, 2 do end
            i = 5
            for k, v in pairs({}) do k = 1 end
            v = 6
            """
        #expect(globals(source) == ["a@2:1", "b@4:1", "c@6:1", "i@8:1", "v@10:1"])
    }

    @Test func shadowingAndNesting() {
        let source = """
            local x = 1
            local function outer()
              x = 2
              local y
              local function inner()
                y = 3
                z = 4
                local x = 5
                x = 6
              end
            end
            local x = x
            w = function() x = 7 end
            """
        #expect(globals(source) == ["z@7:5", "w@13:1"])
    }

    @Test func localIsInScopeAfterItsStatement() {
        // `local a = a` reads the outer `a`; the new local starts after the statement.
        #expect(globals("local f = function() f = 1 end") == ["f@1:22"])
        #expect(globals("local function g() g = 1 end") == [])
    }

    @Test func repeatUntilSeesTheBodysLocals() throws {
        #expect(globals("repeat local done = true until done") == [])
        let report = LintFixtures.lint("repeat local n = 1 until (function() n = 2 end)()\nn = 3")
        #expect(report.diagnostics.map(\.line) == [2])
    }

    @Test func methodsHaveSelf() {
        #expect(globals("local obj = {}\nfunction obj:set(v) self = v end") == [])
        #expect(globals("local obj = {}\nfunction obj.set(v) self = v end") == ["self@2:21"])
    }

    @Test func varargFunctionsAndMultipleTargets() {
        #expect(globals("local function f(a, ...) local b; a, b, c = ... end") == ["c@1:41"])
    }

    @Test func constAndCloseLocalsCannotBeAssigned() {
        #expect(LintFixtures.diagnostics("local limit <const> = 10\nlimit = 11") == ["2:1: error: attempt to assign to const variable 'limit'"])
        #expect(LintFixtures.diagnostics("local f <close> = nil\nf = 1") == ["2:1: error: attempt to assign to const variable 'f'"])
    }

    @Test func envIsLeftAlone() {
        #expect(globals("_ENV = {}") == [])
        #expect(globals("local _ENV = {}\nx = 1") == [])
    }

    @Test func globalFunctionInsideAFunction() {
        #expect(globals("return { api = 1, on_start = function(ctx) function helper() end end }") == ["helper@1:53"])
    }
}
