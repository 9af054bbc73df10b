/// A recursive-descent parser for Lua 5.4 following `lparser.c`, so that what it refuses, and
/// the messages it gives, match what `luac` would say.
struct LuaParser: Sendable {
    /// What the parser knows about the function it is in: `...` needs a vararg function, and
    /// `goto` and `break` a target in it.
    struct FunctionState: Sendable {
        var isVararg: Bool
        /// The blocks open in the function, innermost last, for resolving `goto`s.
        var blocks: [BlockState] = []
        /// The `goto`s left without a target when the function's outermost block closed.
        var unresolvedGotos: [LuaName] = []
    }

    /// The labels of an open block, with the `goto`s in it (or in blocks it encloses) that no
    /// label has matched yet: they may still jump to a label later in this block or around it.
    struct BlockState: Sendable {
        var labels: [String: Int] = [:]
        var gotos: [LuaName] = []
    }

    /// How deeply statements and expressions may nest: Lua's `LUAI_MAXCCALLS` (200), less the
    /// C call that starts the parse, so that the same sources are refused.
    static let maxLevels = 199
    /// How tall an expression tree may grow through chains (`a.b.c...`, `x + y + ...`), which
    /// nesting levels do not bound.
    static let maxExpressionHeight = 1000

    var tokens: [LuaToken]
    let lexFailure: LuaSyntaxError?
    var index = 0
    var level = 0
    var functions: [FunctionState] = [FunctionState(isVararg: true)]

    init(bytes: [UInt8]) {
        (tokens, lexFailure) = LuaLexer.tokenize(bytes)
    }

    /// Parses a whole chunk.
    static func parse(_ source: String) throws(LuaSyntaxError) -> LuaBlock {
        var parser = LuaParser(bytes: Array(source.utf8))
        return try parser.parseChunk()
    }

    mutating func parseChunk() throws(LuaSyntaxError) -> LuaBlock {
        try checkLexFailure()
        let block = try parseBlock()
        guard current.kind == .eof else { throw error("<eof> expected") }
        try checkGotos()
        return block
    }

    // MARK: Tokens

    var current: LuaToken { tokens[index] }
    var lookahead: LuaToken { tokens[min(index + 1, tokens.count - 1)] }

    private func checkLexFailure() throws(LuaSyntaxError) {
        if current.kind == .invalid, let lexFailure { throw lexFailure }
    }

    mutating func advance() throws(LuaSyntaxError) {
        if index < tokens.count - 1 { index += 1 }
        try checkLexFailure()
    }

    func error(_ message: String) -> LuaSyntaxError {
        LuaSyntaxError(position: current.position, message: "\(message) near \(current.nearDescription)")
    }

    /// An error without `near ...`, as Lua's semantic errors are worded.
    func semanticError(_ message: String, at position: LuaPosition) -> LuaSyntaxError {
        LuaSyntaxError(position: position, message: message)
    }

    func check(_ symbol: LuaSymbol) -> Bool { current.kind == .symbol(symbol) }
    func check(_ keyword: LuaKeyword) -> Bool { current.kind == .keyword(keyword) }

    mutating func accept(_ symbol: LuaSymbol) throws(LuaSyntaxError) -> Bool {
        guard check(symbol) else { return false }
        try advance()
        return true
    }

    mutating func accept(_ keyword: LuaKeyword) throws(LuaSyntaxError) -> Bool {
        guard check(keyword) else { return false }
        try advance()
        return true
    }

    mutating func expect(_ symbol: LuaSymbol) throws(LuaSyntaxError) {
        guard try accept(symbol) else { throw error("'\(symbol.rawValue)' expected") }
    }

    mutating func expect(_ keyword: LuaKeyword) throws(LuaSyntaxError) {
        guard try accept(keyword) else { throw error("'\(keyword.rawValue)' expected") }
    }

    /// Expects the token closing a construct opened by `opener` at `line`, naming the opener
    /// when it is on another line, as Lua's `check_match` does.
    mutating func expectClosing(_ closer: String, opener: String, line: Int, matches: Bool) throws(LuaSyntaxError) {
        if matches {
            try advance()
            return
        }
        if line == current.position.line { throw error("'\(closer)' expected") }
        throw error("'\(closer)' expected (to close '\(opener)' at line \(line))")
    }

    mutating func expectName() throws(LuaSyntaxError) -> LuaName {
        guard case .name(let name) = current.kind else { throw error("<name> expected") }
        let position = current.position
        try advance()
        return LuaName(name: name, position: position)
    }

    /// Counts one level of nesting, failing past `maxLevels` as Lua does.
    mutating func enterLevel() throws(LuaSyntaxError) {
        level += 1
        if level > Self.maxLevels { throw error("C stack overflow") }
    }

    mutating func leaveLevel() { level -= 1 }

    /// Makes an expression node, refusing trees taller than `maxExpressionHeight`.
    func node(_ kind: LuaExpression.Kind, at position: LuaPosition, children: [LuaExpression] = []) throws(LuaSyntaxError)
        -> LuaExpression
    {
        let expression = LuaExpression(kind, at: position, children: children)
        if expression.height > Self.maxExpressionHeight { throw error("expression too complex") }
        return expression
    }
}
