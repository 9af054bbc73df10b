/// The keys of the table a plugin file returns, found in the usual shapes: `return { ... }`,
/// or a local (`local plugin = { ... }`, `local M = {}`) filled in by top-level statements
/// (`M.key = ...`, `M["key"] = ...`, `function M.key()`, `function M:key()`) and returned.
struct LuaPluginTable: Sendable {
    /// One key as written, with its value.
    struct Entry: Sendable {
        var key: String
        /// The key's own token.
        var position: LuaPosition
        var value: LuaExpression
    }

    var entries: [Entry]

    /// The returned table of `chunk`, nil when the chunk does not end by returning one the
    /// lint can see.
    init?(chunk: LuaBlock) {
        let statements = chunk.statements
        guard let last = statements.last, case .returnStatement(let values) = last.kind, let returned = values.first else {
            return nil
        }
        guard let entries = Self.entries(of: returned, before: statements.count - 1, in: statements, depth: 0) else { return nil }
        self.entries = entries
    }

    /// The entries of the table `expression` builds, seen from top-level statement `end`.
    private static func entries(of expression: LuaExpression, before end: Int, in statements: [LuaStatement], depth: Int)
        -> [Entry]?
    {
        guard depth < 8 else { return nil }
        switch expression.kind {
        case .table(let fields):
            return fields.compactMap { field in
                switch field {
                case .named(let name, let value): return Entry(key: name.name, position: name.position, value: value)
                case .keyed(let key, let value):
                    guard let name = key.stringValue else { return nil }
                    return Entry(key: name, position: key.position, value: value)
                case .positional: return nil
                }
            }
        case .parenthesized(let inner):
            return entries(of: inner, before: end, in: statements, depth: depth + 1)
        case .call(let callee, let arguments):
            // `return setmetatable({ ... }, mt)` returns its first argument.
            guard case .name("setmetatable") = callee.kind, let table = arguments.first else { return nil }
            return entries(of: table, before: end, in: statements, depth: depth + 1)
        case .name(let name):
            guard let (index, initial) = declaration(of: name, before: end, in: statements) else { return nil }
            guard var result = entries(of: initial, before: index, in: statements, depth: depth + 1) else { return nil }
            for statement in statements[(index + 1)..<end] { result += added(to: name, by: statement) }
            return result
        default:
            return nil
        }
    }

    /// The last top-level statement before `end` that gives `name` its table: a `local`
    /// declaring it, else a global assignment; with the value it assigns.
    private static func declaration(of name: String, before end: Int, in statements: [LuaStatement])
        -> (Int, LuaExpression)?
    {
        var global: (Int, LuaExpression)?
        for index in stride(from: end - 1, through: 0, by: -1) {
            switch statements[index].kind {
            case .local(let variables, let values):
                guard let position = variables.lastIndex(where: { $0.name.name == name }) else { continue }
                guard position < values.count else { return nil }
                return (index, values[position])
            case .localFunction(let function, _) where function.name == name:
                return nil
            case .assignment(let targets, let values) where global == nil:
                for (target, value) in zip(targets, values) {
                    if case .name(name) = target.kind { global = (index, value) }
                }
            default:
                continue
            }
        }
        return global
    }

    /// The keys `statement` adds to the table in the variable `name`.
    private static func added(to name: String, by statement: LuaStatement) -> [Entry] {
        switch statement.kind {
        case .assignment(let targets, let values):
            return zip(targets, values).compactMap { target, value in
                switch target.kind {
                case .field(let object, let field):
                    guard case .name(name) = object.kind else { return nil }
                    return Entry(key: field.name, position: field.position, value: value)
                case .index(let object, let key):
                    guard case .name(name) = object.kind, let keyName = key.stringValue else { return nil }
                    return Entry(key: keyName, position: key.position, value: value)
                default:
                    return nil
                }
            }
        case .function(let function, let body) where function.base.name == name:
            let value = LuaExpression(.function(body), at: body.position)
            if function.fields.count == 1, function.method == nil {
                return [Entry(key: function.fields[0].name, position: function.fields[0].position, value: value)]
            }
            if function.fields.isEmpty, let method = function.method {
                return [Entry(key: method.name, position: method.position, value: value)]
            }
            return []
        default:
            return []
        }
    }
}
