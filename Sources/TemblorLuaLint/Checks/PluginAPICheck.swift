/// Checks the `api` a plugin declares: a plugin written for a newer host API than this
/// Temblor's would fail to load, and the loader only accepts an integer.
enum PluginAPICheck {
    static func run(_ table: LuaPluginTable, hostAPI: Int) -> [LuaLintDiagnostic] {
        table.entries.filter { $0.key == "api" }.compactMap { entry in
            let value = entry.value
            if let declared = integerLiteral(value) {
                guard declared > Int64(hostAPI) else { return nil }
                return LuaLintDiagnostic(
                    .error, at: value.position,
                    "the plugin declares api = \(declared), but this Temblor provides host API \(hostAPI): "
                        + "update Temblor, or write the plugin for api = \(hostAPI)")
            }
            // Other expressions only have a value when the plugin runs.
            guard isNonIntegerLiteral(value) else { return nil }
            return LuaLintDiagnostic(.error, at: value.position, "api must be an integer such as \(hostAPI)")
        }
    }

    /// The value of `1`, `0x10` or `-1`.
    static func integerLiteral(_ expression: LuaExpression) -> Int64? {
        switch expression.kind {
        case .number(.integer(let value)): return value
        case .unary(.negate, let inner):
            if case .number(.integer(let value)) = inner.kind { return 0 &- value }
            return nil
        default: return nil
        }
    }

    /// Whether `expression` is a literal of another type than integer: `"1"`, `1.0`, `true`, `{}`.
    static func isNonIntegerLiteral(_ expression: LuaExpression) -> Bool {
        switch expression.kind {
        case .number(.float), .string, .nilLiteral, .trueLiteral, .falseLiteral, .table, .function: return true
        case .unary(.negate, let inner):
            if case .number(.float) = inner.kind { return true }
            return false
        default: return false
        }
    }
}
