/// Blocks and statements.
extension LuaParser {
    /// Whether the current token ends a block (`until` only ends a `repeat` body, but Lua
    /// treats it as a block end everywhere, failing later with `'end' expected`).
    var atBlockEnd: Bool {
        switch current.kind {
        case .eof, .invalid, .keyword(.else), .keyword(.elseif), .keyword(.end), .keyword(.until): return true
        default: return false
        }
    }

    /// A block; in a loop's body (`isLoop`), `break`s are resolved.
    mutating func parseBlock(isLoop: Bool = false) throws(LuaSyntaxError) -> LuaBlock {
        let function = functions.count - 1
        functions[function].blocks.append(BlockState())
        var statements: [LuaStatement] = []
        while !atBlockEnd {
            if check(.return) {
                statements.append(try parseReturn())
                break
            }
            if let statement = try parseStatement() { statements.append(statement) }
        }
        let block = functions[function].blocks.removeLast()
        // A `break` is a goto to the end of the innermost loop, as in Lua 5.4.
        let unresolved = block.gotos.filter { block.labels[$0.name] == nil && !(isLoop && $0.name == "break") }
        if !functions[function].blocks.isEmpty {
            functions[function].blocks[functions[function].blocks.count - 1].gotos += unresolved
        } else {
            functions[function].unresolvedGotos = unresolved
        }
        return LuaBlock(statements: statements)
    }

    /// Fails on the first `goto` (or `break`) of the function just parsed that found no
    /// target; Lua checks them once the function is closed, after its `end`.
    func checkGotos() throws(LuaSyntaxError) {
        guard let goto = functions[functions.count - 1].unresolvedGotos.min(by: { $0.position < $1.position }) else { return }
        let line = goto.position.line
        let message = goto.name == "break" ? "break outside loop at line \(line)" : "no visible label '\(goto.name)' for <goto> at line \(line)"
        throw semanticError(message, at: goto.position)
    }

    /// Declares a label in the current block, refusing one already visible in the function.
    private mutating func declareLabel(_ name: LuaName) throws(LuaSyntaxError) {
        let function = functions.count - 1
        for block in functions[function].blocks {
            if let line = block.labels[name.name] {
                throw semanticError("label '\(name.name)' already defined on line \(line)", at: name.position)
            }
        }
        functions[function].blocks[functions[function].blocks.count - 1].labels[name.name] = name.position.line
    }

    private mutating func parseReturn() throws(LuaSyntaxError) -> LuaStatement {
        let position = current.position
        try advance()
        var values: [LuaExpression] = []
        if !atBlockEnd, !check(.semicolon) { values = try parseExpressionList() }
        _ = try accept(.semicolon)
        return LuaStatement(kind: .returnStatement(values), position: position)
    }

    /// One statement, or nil for `;`.
    mutating func parseStatement() throws(LuaSyntaxError) -> LuaStatement? {
        let position = current.position
        let line = position.line
        try enterLevel()
        defer { leaveLevel() }
        func make(_ kind: LuaStatement.Kind) -> LuaStatement { LuaStatement(kind: kind, position: position) }
        switch current.kind {
        case .symbol(.semicolon):
            try advance()
            return nil
        case .keyword(.if):
            return make(try parseIf(line: line))
        case .keyword(.while):
            try advance()
            let condition = try parseExpression()
            try expect(.do)
            let body = try parseLoopBody()
            try expectClosing("end", opener: "while", line: line, matches: check(.end))
            return make(.whileLoop(condition, body))
        case .keyword(.do):
            try advance()
            let body = try parseBlock()
            try expectClosing("end", opener: "do", line: line, matches: check(.end))
            return make(.doBlock(body))
        case .keyword(.for):
            return make(try parseFor(line: line))
        case .keyword(.repeat):
            try advance()
            let body = try parseLoopBody()
            try expectClosing("until", opener: "repeat", line: line, matches: check(.until))
            let condition = try parseExpression()
            return make(.repeatLoop(body, condition))
        case .keyword(.function):
            try advance()
            let name = try parseFunctionName()
            let body = try parseFunctionBody(isMethod: name.method != nil, line: line, position: position)
            return make(.function(name, body))
        case .keyword(.local):
            try advance()
            if try accept(.function) {
                let name = try expectName()
                let body = try parseFunctionBody(isMethod: false, line: line, position: position)
                return make(.localFunction(name, body))
            }
            return make(try parseLocal())
        case .symbol(.doubleColon):
            try advance()
            let name = try expectName()
            try expect(.doubleColon)
            try declareLabel(name)
            return make(.label(name))
        case .keyword(.break):
            try advance()
            let function = functions.count - 1
            functions[function].blocks[functions[function].blocks.count - 1].gotos.append(LuaName(name: "break", position: position))
            return make(.breakStatement)
        case .keyword(.goto):
            try advance()
            let name = try expectName()
            let function = functions.count - 1
            functions[function].blocks[functions[function].blocks.count - 1].gotos.append(
                LuaName(name: name.name, position: position))
            return make(.gotoStatement(name))
        default:
            return make(try parseExpressionStatement())
        }
    }

    private mutating func parseLoopBody() throws(LuaSyntaxError) -> LuaBlock {
        try parseBlock(isLoop: true)
    }

    private mutating func parseIf(line: Int) throws(LuaSyntaxError) -> LuaStatement.Kind {
        var branches: [LuaStatement.Branch] = []
        repeat {
            try advance()  // `if` or `elseif`
            let condition = try parseExpression()
            try expect(.then)
            branches.append(LuaStatement.Branch(condition: condition, block: try parseBlock()))
        } while check(.elseif)
        var otherwise: LuaBlock?
        if try accept(.else) { otherwise = try parseBlock() }
        try expectClosing("end", opener: "if", line: line, matches: check(.end))
        return .ifStatement(branches, otherwise)
    }

    private mutating func parseFor(line: Int) throws(LuaSyntaxError) -> LuaStatement.Kind {
        try advance()
        let first = try expectName()
        if try accept(.assign) {
            let start = try parseExpression()
            try expect(.comma)
            let limit = try parseExpression()
            var step: LuaExpression?
            if try accept(.comma) { step = try parseExpression() }
            try expect(.do)
            let body = try parseLoopBody()
            try expectClosing("end", opener: "for", line: line, matches: check(.end))
            return .numericFor(first, start, limit, step, body)
        }
        guard check(.comma) || check(.in) else { throw error("'=' or 'in' expected") }
        var names = [first]
        while try accept(.comma) { names.append(try expectName()) }
        try expect(.in)
        let values = try parseExpressionList()
        try expect(.do)
        let body = try parseLoopBody()
        try expectClosing("end", opener: "for", line: line, matches: check(.end))
        return .genericFor(names, values, body)
    }

    private mutating func parseFunctionName() throws(LuaSyntaxError) -> LuaFunctionName {
        var name = LuaFunctionName(base: try expectName(), fields: [], method: nil)
        while try accept(.dot) { name.fields.append(try expectName()) }
        if try accept(.colon) { name.method = try expectName() }
        return name
    }

    private mutating func parseLocal() throws(LuaSyntaxError) -> LuaStatement.Kind {
        var variables: [LuaLocalVariable] = []
        var hasClose = false
        repeat {
            let name = try expectName()
            var attribute: LuaLocalVariable.Attribute?
            if try accept(.less) {
                let attributeName = try expectName()
                try expect(.greater)
                guard let known = LuaLocalVariable.Attribute(rawValue: attributeName.name) else {
                    throw semanticError("unknown attribute '\(attributeName.name)'", at: attributeName.position)
                }
                if known == .close {
                    if hasClose { throw semanticError("multiple to-be-closed variables in local list", at: name.position) }
                    hasClose = true
                }
                attribute = known
            }
            variables.append(LuaLocalVariable(name: name, attribute: attribute))
        } while try accept(.comma)
        var values: [LuaExpression] = []
        if try accept(.assign) { values = try parseExpressionList() }
        return .local(variables, values)
    }

    /// A call, or an assignment whose targets must all be variables.
    private mutating func parseExpressionStatement() throws(LuaSyntaxError) -> LuaStatement.Kind {
        let first = try parseSuffixedExpression()
        guard check(.assign) || check(.comma) else {
            switch first.kind {
            case .call, .methodCall: return .call(first)
            default: throw error("syntax error")
            }
        }
        var targets = [first]
        while true {
            switch targets[targets.count - 1].kind {
            case .name, .field, .index: break
            default: throw error("syntax error")
            }
            guard try accept(.comma) else { break }
            try enterLevel()
            targets.append(try parseSuffixedExpression())
        }
        for _ in 1..<targets.count { leaveLevel() }
        try expect(.assign)
        return .assignment(targets, try parseExpressionList())
    }
}
