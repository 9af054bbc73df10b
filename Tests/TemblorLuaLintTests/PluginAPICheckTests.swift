import Testing
import TemblorLuaLint

@Suite struct PluginAPICheckTests {
    @Test func newerAPIThanTheHost() {
        #expect(LintFixtures.diagnostics("return {\n  api = 2,\n}") == [
            "2:9: error: the plugin declares api = 2, but this Temblor provides host API 1: update Temblor, or write the plugin for api = 1"
        ])
        #expect(LintFixtures.diagnostics("return { api = 3 }", hostAPI: 2) == [
            "1:16: error: the plugin declares api = 3, but this Temblor provides host API 2: update Temblor, or write the plugin for api = 2"
        ])
    }

    @Test func sameOrOlderAPIIsFine() {
        #expect(LintFixtures.diagnostics("return { api = 1 }").isEmpty)
        #expect(LintFixtures.diagnostics("return { api = 1 }", hostAPI: 2).isEmpty)
        #expect(LintFixtures.diagnostics("return { api = 0x1 }").isEmpty)
    }

    @Test func nonIntegerLiterals() {
        let expected = "error: api must be an integer such as 1"
        #expect(LintFixtures.diagnostics("return { api = \"1\" }") == ["1:16: \(expected)"])
        #expect(LintFixtures.diagnostics("return { api = 1.0 }") == ["1:16: \(expected)"])
        #expect(LintFixtures.diagnostics("return { api = true }") == ["1:16: \(expected)"])
        #expect(LintFixtures.diagnostics("return { api = {} }") == ["1:16: \(expected)"])
        // An expression is only known when the plugin runs.
        #expect(LintFixtures.diagnostics("local v = 2\nreturn { api = v }").isEmpty)
    }

    @Test func apiSetOnALocalTable() {
        let source = "local plugin = {}\nplugin.api = 5\nreturn plugin"
        #expect(LintFixtures.diagnostics(source) == [
            "2:14: error: the plugin declares api = 5, but this Temblor provides host API 1: update Temblor, or write the plugin for api = 1"
        ])
    }
}
