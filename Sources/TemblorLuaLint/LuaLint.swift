/// A static lint of Lua plugin files: what `temblor check` reports before a plugin is loaded,
/// found from the source text alone (nothing is run).
public enum LuaLint {
    /// Everything one check found.
    public struct Report: Sendable, Equatable {
        /// Sorted by line, then column; a syntax error is the only diagnostic when there is one.
        public var diagnostics: [LuaLintDiagnostic]
        /// Calls of the host's I/O functions, in source order, for comparing with `allow:` grants.
        public var hostIOCalls: [LuaHostIOCall]

        /// A report with these findings, for callers and tests that build one to compare with.
        public init(diagnostics: [LuaLintDiagnostic], hostIOCalls: [LuaHostIOCall]) {
            self.diagnostics = diagnostics
            self.hostIOCalls = hostIOCalls
        }
    }

    /// Lints `source` for a host providing `hostAPI`, whose plugin tables may have `allowedKeys`;
    /// `nil` for a module the plugin requires, whose table is not a plugin table. Never traps:
    /// text that is not Lua 5.4 gives one error diagnostic.
    public static func check(_ source: String, hostAPI: Int, allowedKeys: [String]?) -> Report {
        let chunk: LuaBlock
        do {
            chunk = try LuaParser.parse(source)
        } catch {
            return Report(diagnostics: [LuaLintDiagnostic(.error, at: error.position, error.message)], hostIOCalls: [])
        }
        var diagnostics: [LuaLintDiagnostic] = []
        if let allowedKeys, let table = LuaPluginTable(chunk: chunk) {
            diagnostics += PluginKeyCheck.run(table, allowedKeys: allowedKeys)
            diagnostics += PluginAPICheck.run(table, hostAPI: hostAPI)
        }
        diagnostics += GlobalAssignmentCheck.run(chunk)
        // A stable sort: findings at one position keep the order of the checks.
        let sorted = diagnostics.enumerated().sorted {
            ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
        }.map(\.element)
        return Report(diagnostics: sorted, hostIOCalls: HostIOCallCheck.run(chunk))
    }
}
