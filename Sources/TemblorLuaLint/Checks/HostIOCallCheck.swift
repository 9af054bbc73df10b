/// Finds the calls of the host's I/O functions, directly (`temblor.fs.read(p)`) or through
/// aliases (`local fs = require("temblor").fs`), for comparing with a flow's `allow:` grants.
struct HostIOCallCheck: Sendable {
    /// For each local, the part of the `temblor` module it holds (`temblor.http`), if any.
    private var scopes = LuaScopeStack<String?>()
    /// Globals assigned a part of the module (`http = temblor.http`).
    private var globalAliases: [String: String] = [:]
    private var calls: [LuaHostIOCall] = []

    static func run(_ chunk: LuaBlock) -> [LuaHostIOCall] {
        var check = HostIOCallCheck()
        check.walk(chunk.statements)
        return check.calls.enumerated().sorted {
            ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
        }.map(\.element)
    }

    /// The dotted path of the module part `expression` denotes (`temblor`, `temblor.fs`,
    /// `temblor.fs.read`), nil when it is anything else.
    private func modulePath(_ expression: LuaExpression) -> String? {
        switch expression.kind {
        case .name(let name):
            if let id = scopes.lookup(name) { return scopes[id] }
            if let alias = globalAliases[name] { return alias }
            return name == "temblor" ? "temblor" : nil
        case .field(let object, let field):
            return modulePath(object).map { "\($0).\(field.name)" }
        case .index(let object, let key):
            guard let key = key.stringValue else { return nil }
            return modulePath(object).map { "\($0).\(key)" }
        case .parenthesized(let inner):
            return modulePath(inner)
        case .call(let callee, let arguments):
            guard isGlobal(callee, named: "require"), arguments.first?.stringValue == "temblor" else { return nil }
            return "temblor"
        default:
            return nil
        }
    }

    private func isGlobal(_ expression: LuaExpression, named name: String) -> Bool {
        guard case .name(let n) = expression.kind, n == name else { return false }
        return scopes.lookup(name) == nil && globalAliases[name] == nil
    }

    private mutating func record(_ path: String?, at position: LuaPosition) {
        guard let path, let kind = LuaHostIOCall.functions[path] else { return }
        calls.append(LuaHostIOCall(kind: kind, function: path, line: position.line, column: position.column))
    }

    private mutating func walk(_ block: LuaBlock) {
        scopes.push()
        walk(block.statements)
        scopes.pop()
    }

    private mutating func walk(_ statements: [LuaStatement]) {
        for statement in statements { walk(statement) }
    }

    private mutating func walk(_ statement: LuaStatement) {
        switch statement.kind {
        case .assignment(let targets, let values):
            targets.forEach { walk($0) }
            values.forEach { walk($0) }
            // All values are evaluated before any target is assigned.
            let paths = values.map { modulePath($0) }
            for (target, path) in zip(targets, paths) {
                // An alias stays known after a reassignment to something else: over-reporting a
                // call is safer than missing one when comparing with grants.
                guard case .name(let name) = target.kind, let path else { continue }
                if let id = scopes.lookup(name) { scopes[id] = path } else { globalAliases[name] = path }
            }
        case .call(let call):
            walk(call)
        case .local(let variables, let values):
            values.forEach { walk($0) }
            let paths = values.map { modulePath($0) }
            for (index, variable) in variables.enumerated() {
                scopes.declare(variable.name.name, index < paths.count ? paths[index] : nil)
            }
        case .localFunction(let name, let body):
            scopes.declare(name.name, nil)
            walkFunction(body, hasSelf: false)
        case .function(let name, let body):
            if name.isPlainName, let id = scopes.lookup(name.base.name) { scopes[id] = nil }
            walkFunction(body, hasSelf: name.method != nil)
        case .doBlock(let block):
            walk(block)
        case .whileLoop(let condition, let block):
            walk(condition)
            walk(block)
        case .repeatLoop(let block, let condition):
            scopes.push()
            walk(block.statements)
            walk(condition)
            scopes.pop()
        case .ifStatement(let branches, let otherwise):
            for branch in branches {
                walk(branch.condition)
                walk(branch.block)
            }
            if let otherwise { walk(otherwise) }
        case .numericFor(let variable, let start, let limit, let step, let block):
            walk(start)
            walk(limit)
            if let step { walk(step) }
            scopes.push()
            scopes.declare(variable.name, nil)
            walk(block)
            scopes.pop()
        case .genericFor(let variables, let values, let block):
            values.forEach { walk($0) }
            scopes.push()
            for variable in variables { scopes.declare(variable.name, nil) }
            walk(block)
            scopes.pop()
        case .returnStatement(let values):
            values.forEach { walk($0) }
        case .breakStatement, .gotoStatement, .label:
            break
        }
    }

    private mutating func walk(_ expression: LuaExpression) {
        switch expression.kind {
        case .function(let body):
            walkFunction(body, hasSelf: false)
            return
        case .call(let callee, let arguments):
            record(modulePath(callee), at: expression.position)
            // `pcall(temblor.fs.read, path)` calls the function too.
            if isGlobal(callee, named: "pcall") || isGlobal(callee, named: "xpcall"), let first = arguments.first {
                record(modulePath(first), at: expression.position)
            }
        case .methodCall(let object, let method, _):
            record(modulePath(object).map { "\($0).\(method.name)" }, at: expression.position)
        default:
            break
        }
        for child in expression.subexpressions { walk(child) }
    }

    private mutating func walkFunction(_ function: LuaFunctionBody, hasSelf: Bool) {
        scopes.push()
        if hasSelf { scopes.declare("self", nil) }
        for parameter in function.parameters { scopes.declare(parameter.name, nil) }
        walk(function.body.statements)
        scopes.pop()
    }
}
