/// The expressions directly inside another, for walks that only need to reach every one.
extension LuaExpression {
    /// Direct subexpressions in source order; a function's body is not among them (walks handle
    /// it with its scope).
    var subexpressions: [LuaExpression] {
        switch kind {
        case .nilLiteral, .trueLiteral, .falseLiteral, .vararg, .number, .string, .name, .function: return []
        case .table(let fields):
            var result: [LuaExpression] = []
            for field in fields {
                switch field {
                case .named(_, let value), .positional(let value): result.append(value)
                case .keyed(let key, let value): result += [key, value]
                }
            }
            return result
        case .field(let object, _): return [object]
        case .index(let object, let key): return [object, key]
        case .call(let callee, let arguments): return [callee] + arguments
        case .methodCall(let object, _, let arguments): return [object] + arguments
        case .parenthesized(let inner), .unary(_, let inner): return [inner]
        case .binary(_, let left, let right): return [left, right]
        }
    }
}
