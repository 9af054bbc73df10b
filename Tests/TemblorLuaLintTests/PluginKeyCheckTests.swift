import Testing
import TemblorLuaLint

@Suite struct PluginKeyCheckTests {
    private let allKeys = "api, name, defaults, ports, connect, on_start, on_pause, on_resume, on_drain, on_stop, source, on_event, on_reload"

    @Test func typoGetsASuggestionAtTheKeysToken() {
        let source = """
            return {
              api = 1,
              on_evnet = function(ctx, event) end,
            }
            """
        #expect(LintFixtures.diagnostics(source) == ["3:3: error: unknown plugin key 'on_evnet': did you mean 'on_event'?"])
        let report = LintFixtures.lint(source)
        #expect(report.diagnostics.first?.formatted(file: "p.lua") == "p.lua:3:3: error: unknown plugin key 'on_evnet': did you mean 'on_event'?")
    }

    @Test func farKeyListsTheAllowedOnes() {
        #expect(LintFixtures.diagnostics("return { api = 1, foo = 2 }") == [
            "1:19: error: unknown plugin key 'foo'; the keys a plugin may have are: \(allKeys)"
        ])
    }

    @Test func suggestionThresholdDependsOnLength() {
        // Two edits for short keys, three for keys longer than six bytes.
        #expect(LintFixtures.diagnostics("return { api = 1, nmae = 'x' }") == ["1:19: error: unknown plugin key 'nmae': did you mean 'name'?"])
        #expect(LintFixtures.diagnostics("return { api = 1, ports2 = {} }") == ["1:19: error: unknown plugin key 'ports2': did you mean 'ports'?"])
        #expect(LintFixtures.diagnostics("return { api = 1, xyzts = {} }") == [
            "1:19: error: unknown plugin key 'xyzts'; the keys a plugin may have are: \(allKeys)"
        ])
        #expect(LintFixtures.diagnostics("return { api = 1, onstartup = nil }") == [
            "1:19: error: unknown plugin key 'onstartup': did you mean 'on_start'?"
        ])
        #expect(LintFixtures.diagnostics("return { api = 1, defaultz = {} }") == [
            "1:19: error: unknown plugin key 'defaultz': did you mean 'defaults'?"
        ])
    }

    @Test func bracketedStringKeysAreKeys() {
        #expect(LintFixtures.diagnostics("return { api = 1, [\"on_stpo\"] = nil, [1] = 2, 'positional' }") == [
            "1:20: error: unknown plugin key 'on_stpo': did you mean 'on_stop'?"
        ])
    }

    @Test func localTableFilledInLater() {
        let source = """
            local plugin = { api = 1, nam = "x" }
            plugin.on_start = function(ctx) end
            plugin.on_strat = function(ctx) end
            function plugin.on_evnt(ctx, e) end
            function plugin:sorce() end
            plugin["on_reload"] = nil
            plugin["reload"] = nil
            other.whatever = 1  -- another table: not the plugin's key, nor a global assignment
            return plugin
            """
        #expect(LintFixtures.diagnostics(source) == [
            "1:27: error: unknown plugin key 'nam': did you mean 'name'?",
            "3:8: error: unknown plugin key 'on_strat': did you mean 'on_start'?",
            "4:17: error: unknown plugin key 'on_evnt': did you mean 'on_event'?",
            "5:17: error: unknown plugin key 'sorce': did you mean 'source'?",
            // Three edits from 'on_reload', too many for a six-byte key.
            "7:8: error: unknown plugin key 'reload'; the keys a plugin may have are: \(allKeys)",
        ])
    }

    @Test func moduleStyleTable() {
        let source = """
            local M = {}
            M.api = 1
            M.name = "m"
            function M.on_event(ctx, e) return e end
            function M.helpr() end
            return M
            """
        #expect(LintFixtures.diagnostics(source) == ["5:12: error: unknown plugin key 'helpr'; the keys a plugin may have are: \(allKeys)"])
    }

    @Test func onlyTheReturnedVariableCounts() {
        let source = """
            local M = { bogus = 1 }
            local helper = {}
            helper.whatever = 2
            local M = { api = 1 }
            M.on_event = nil
            return M
            """
        #expect(LintFixtures.diagnostics(source).isEmpty)
        #expect(LintFixtures.diagnostics("return setmetatable({ api = 1, on_evnt = nil }, {})") == [
            "1:32: error: unknown plugin key 'on_evnt': did you mean 'on_event'?"
        ])
        // Nothing returned, or something else than a table: nothing to check.
        #expect(LintFixtures.diagnostics("local t = { bogus = 1 }").isEmpty)
        #expect(LintFixtures.diagnostics("local t = { bogus = 1 }\nreturn f(t)").isEmpty)
        // A nested table's keys are not the plugin's.
        #expect(LintFixtures.diagnostics("return { api = 1, defaults = { bogus = 1 } }").isEmpty)
    }

    @Test func allowedKeysComeFromTheCaller() {
        let report = LuaLint.check("return { api = 1, extra = 1, source = nil }", hostAPI: 1, allowedKeys: ["api", "extra"])
        #expect(report.diagnostics.map(\.description) == ["1:30: error: unknown plugin key 'source'; the keys a plugin may have are: api, extra"])
    }
}
