import TemblorLuaLint

/// What the tests lint with: today's plugin keys and host API.
enum LintFixtures {
    static let allowedKeys = [
        "api", "name", "defaults", "ports", "connect", "on_start", "on_pause", "on_resume", "on_drain", "on_stop",
        "source", "on_event", "on_reload",
    ]

    static func lint(_ source: String, hostAPI: Int = 1) -> LuaLint.Report {
        LuaLint.check(source, hostAPI: hostAPI, allowedKeys: allowedKeys)
    }

    /// The diagnostics of `source` as `line:column: severity: message`.
    static func diagnostics(_ source: String, hostAPI: Int = 1) -> [String] {
        lint(source, hostAPI: hostAPI).diagnostics.map(\.description)
    }
}
