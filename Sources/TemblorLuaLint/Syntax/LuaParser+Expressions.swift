/// Expressions, by Lua's priority climbing.
extension LuaParser {
    mutating func parseExpressionList() throws(LuaSyntaxError) -> [LuaExpression] {
        var values = [try parseExpression()]
        while try accept(.comma) { values.append(try parseExpression()) }
        return values
    }

    mutating func parseExpression() throws(LuaSyntaxError) -> LuaExpression {
        try parseSubexpression(limit: 0)
    }

    /// An expression whose binary operators all bind tighter than `limit`.
    private mutating func parseSubexpression(limit: Int) throws(LuaSyntaxError) -> LuaExpression {
        try enterLevel()
        defer { leaveLevel() }
        let position = current.position
        var left: LuaExpression
        if let unary = unaryOperator(current.kind) {
            try advance()
            let operand = try parseSubexpression(limit: LuaUnaryOperator.priority)
            left = try node(.unary(unary, operand), at: position, children: [operand])
        } else {
            left = try parseSimpleExpression()
        }
        while let binary = LuaBinaryOperator(current.kind), binary.priority.left > limit {
            try advance()
            let right = try parseSubexpression(limit: binary.priority.right)
            left = try node(.binary(binary, left, right), at: position, children: [left, right])
        }
        return left
    }

    private func unaryOperator(_ kind: LuaToken.Kind) -> LuaUnaryOperator? {
        switch kind {
        case .keyword(.not): return .not
        case .symbol(.minus): return .negate
        case .symbol(.hash): return .length
        case .symbol(.tilde): return .bitwiseNot
        default: return nil
        }
    }

    private mutating func parseSimpleExpression() throws(LuaSyntaxError) -> LuaExpression {
        let position = current.position
        let kind: LuaExpression.Kind
        switch current.kind {
        case .number(let number): kind = .number(number)
        case .string(let string): kind = .string(string)
        case .keyword(.nil): kind = .nilLiteral
        case .keyword(.true): kind = .trueLiteral
        case .keyword(.false): kind = .falseLiteral
        case .symbol(.ellipsis):
            guard functions[functions.count - 1].isVararg else { throw error("cannot use '...' outside a vararg function") }
            kind = .vararg
        case .symbol(.openBrace):
            return try parseTable()
        case .keyword(.function):
            let line = position.line
            try advance()
            let body = try parseFunctionBody(isMethod: false, line: line, position: position)
            return try node(.function(body), at: position)
        default:
            return try parseSuffixedExpression()
        }
        try advance()
        return try node(kind, at: position)
    }

    private mutating func parsePrimaryExpression() throws(LuaSyntaxError) -> LuaExpression {
        let position = current.position
        switch current.kind {
        case .name(let name):
            try advance()
            return try node(.name(name), at: position)
        case .symbol(.openParen):
            try advance()
            let inner = try parseExpression()
            try expectClosing(")", opener: "(", line: position.line, matches: check(.closeParen))
            return try node(.parenthesized(inner), at: position, children: [inner])
        default:
            throw error("unexpected symbol")
        }
    }

    /// A primary expression followed by fields, indexes, calls and method calls.
    mutating func parseSuffixedExpression() throws(LuaSyntaxError) -> LuaExpression {
        let position = current.position
        var expression = try parsePrimaryExpression()
        while true {
            switch current.kind {
            case .symbol(.dot):
                try advance()
                let name = try expectName()
                expression = try node(.field(expression, name), at: position, children: [expression])
            case .symbol(.openBracket):
                try advance()
                let key = try parseExpression()
                try expect(.closeBracket)
                expression = try node(.index(expression, key), at: position, children: [expression, key])
            case .symbol(.colon):
                try advance()
                let name = try expectName()
                let arguments = try parseCallArguments(line: position.line)
                expression = try node(.methodCall(expression, name, arguments), at: position, children: [expression] + arguments)
            case .symbol(.openParen), .symbol(.openBrace), .string:
                let arguments = try parseCallArguments(line: position.line)
                expression = try node(.call(expression, arguments), at: position, children: [expression] + arguments)
            default:
                return expression
            }
        }
    }

    /// A call's arguments; `line` is where the called expression starts, which Lua names when
    /// the closing `)` is missing.
    private mutating func parseCallArguments(line: Int) throws(LuaSyntaxError) -> [LuaExpression] {
        let position = current.position
        switch current.kind {
        case .string(let string):
            try advance()
            return [try node(.string(string), at: position)]
        case .symbol(.openBrace):
            return [try parseTable()]
        case .symbol(.openParen):
            try advance()
            var arguments: [LuaExpression] = []
            if !check(.closeParen) { arguments = try parseExpressionList() }
            try expectClosing(")", opener: "(", line: line, matches: check(.closeParen))
            return arguments
        default:
            throw error("function arguments expected")
        }
    }

    private mutating func parseTable() throws(LuaSyntaxError) -> LuaExpression {
        let position = current.position
        try advance()
        var fields: [LuaTableField] = []
        var tallest: [LuaExpression] = []
        while !check(.closeBrace) {
            switch current.kind {
            case .name(let name) where lookahead.kind == .symbol(.assign):
                let key = LuaName(name: name, position: current.position)
                try advance()
                try advance()
                let value = try parseExpression()
                fields.append(.named(key, value))
                if value.height > (tallest.first?.height ?? 0) { tallest = [value] }
            case .symbol(.openBracket):
                try advance()
                let key = try parseExpression()
                try expect(.closeBracket)
                try expect(.assign)
                let value = try parseExpression()
                fields.append(.keyed(key, value))
                for e in [key, value] where e.height > (tallest.first?.height ?? 0) { tallest = [e] }
            default:
                let value = try parseExpression()
                fields.append(.positional(value))
                if value.height > (tallest.first?.height ?? 0) { tallest = [value] }
            }
            if try accept(.comma) { continue }
            if try accept(.semicolon) { continue }
            break
        }
        try expectClosing("}", opener: "{", line: position.line, matches: check(.closeBrace))
        return try node(.table(fields), at: position, children: tallest)
    }

    /// `(parameters) block end`, after `function` and its name.
    mutating func parseFunctionBody(isMethod: Bool, line: Int, position: LuaPosition) throws(LuaSyntaxError) -> LuaFunctionBody {
        try expect(.openParen)
        var parameters: [LuaName] = []
        var isVararg = false
        if !check(.closeParen) {
            repeat {
                if case .name = current.kind {
                    parameters.append(try expectName())
                } else if try accept(.ellipsis) {
                    isVararg = true
                } else {
                    throw error("<name> or '...' expected")
                }
                if isVararg { break }
            } while try accept(.comma)
        }
        try expect(.closeParen)
        functions.append(FunctionState(isVararg: isVararg))
        defer { functions.removeLast() }
        let body = try parseBlock()
        try expectClosing("end", opener: "function", line: line, matches: check(.end))
        try checkGotos()
        return LuaFunctionBody(parameters: parameters, isVararg: isVararg, body: body, position: position)
    }
}
