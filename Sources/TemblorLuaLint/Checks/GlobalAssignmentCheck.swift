/// Finds assignments to globals: a plugin's globals live outside `ctx.state`, so what it keeps
/// in them is lost when its state is restarted after faults. Also refuses assignments to
/// `<const>` and `<close>` locals, which Lua rejects when compiling.
struct GlobalAssignmentCheck: Sendable {
    /// What the walk knows of a local: whether it may be assigned.
    struct Local: Sendable {
        var isReadOnly: Bool
    }

    static let consequence = "(a plugin's globals are not part of ctx.state and are lost when its state restarts)"

    private var scopes = LuaScopeStack<Local>()
    private var diagnostics: [LuaLintDiagnostic] = []

    static func run(_ chunk: LuaBlock) -> [LuaLintDiagnostic] {
        var check = GlobalAssignmentCheck()
        check.walk(chunk.statements)
        return check.diagnostics
    }

    /// Statements in a new scope.
    private mutating func walk(_ block: LuaBlock) {
        scopes.push()
        walk(block.statements)
        scopes.pop()
    }

    /// Statements in the current scope.
    private mutating func walk(_ statements: [LuaStatement]) {
        for statement in statements { walk(statement) }
    }

    private mutating func walk(_ statement: LuaStatement) {
        switch statement.kind {
        case .assignment(let targets, let values):
            for target in targets {
                if case .name(let name) = target.kind {
                    assign(LuaName(name: name, position: target.position), fix: "'local'")
                } else {
                    walk(target)
                }
            }
            values.forEach { walk($0) }
        case .call(let call):
            walk(call)
        case .local(let variables, let values):
            values.forEach { walk($0) }
            for variable in variables { scopes.declare(variable.name.name, Local(isReadOnly: variable.attribute != nil)) }
        case .localFunction(let name, let body):
            scopes.declare(name.name, Local(isReadOnly: false))
            walkFunction(body, hasSelf: false)
        case .function(let name, let body):
            if name.isPlainName { assign(name.base, fix: "'local function \(name.base.name)'") }
            walkFunction(body, hasSelf: name.method != nil)
        case .doBlock(let block):
            walk(block)
        case .whileLoop(let condition, let block):
            walk(condition)
            walk(block)
        case .repeatLoop(let block, let condition):
            // `until` sees the body's locals.
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
            scopes.declare(variable.name, Local(isReadOnly: false))
            walk(block)
            scopes.pop()
        case .genericFor(let variables, let values, let block):
            values.forEach { walk($0) }
            scopes.push()
            for variable in variables { scopes.declare(variable.name, Local(isReadOnly: false)) }
            walk(block)
            scopes.pop()
        case .returnStatement(let values):
            values.forEach { walk($0) }
        case .breakStatement, .gotoStatement, .label:
            break
        }
    }

    private mutating func walk(_ expression: LuaExpression) {
        if case .function(let body) = expression.kind {
            walkFunction(body, hasSelf: false)
        } else {
            for child in expression.subexpressions { walk(child) }
        }
    }

    private mutating func walkFunction(_ function: LuaFunctionBody, hasSelf: Bool) {
        scopes.push()
        if hasSelf { scopes.declare("self", Local(isReadOnly: false)) }
        for parameter in function.parameters { scopes.declare(parameter.name, Local(isReadOnly: false)) }
        walk(function.body.statements)
        scopes.pop()
    }

    /// An assignment to the variable `name`: fine for a local, an error for a read-only one, a
    /// warning for a global (unless a local `_ENV` redirects globals, or it is `_ENV` itself).
    private mutating func assign(_ name: LuaName, fix: String) {
        if let id = scopes.lookup(name.name) {
            if scopes[id].isReadOnly {
                diagnostics.append(LuaLintDiagnostic(.error, at: name.position, "attempt to assign to const variable '\(name.name)'"))
            }
            return
        }
        guard name.name != "_ENV", scopes.lookup("_ENV") == nil else { return }
        diagnostics.append(
            LuaLintDiagnostic(
                .warning, at: name.position, "assignment to global '\(name.name)': declare it with \(fix) \(Self.consequence)"))
    }
}
