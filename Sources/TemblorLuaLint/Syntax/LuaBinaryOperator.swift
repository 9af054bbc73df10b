/// Lua 5.4's infix operators, with the left and right priorities of `lparser.c` that give
/// its precedence and make `..` and `^` right-associative.
enum LuaBinaryOperator: Sendable, Equatable {
    case add, subtract, multiply, modulo, power, divide, floorDivide
    case bitwiseAnd, bitwiseOr, bitwiseXor, shiftLeft, shiftRight, concat
    case equal, less, lessEqual, notEqual, greater, greaterEqual, and, or

    /// The operator a token spells, if any.
    init?(_ kind: LuaToken.Kind) {
        switch kind {
        case .symbol(.plus): self = .add
        case .symbol(.minus): self = .subtract
        case .symbol(.star): self = .multiply
        case .symbol(.percent): self = .modulo
        case .symbol(.caret): self = .power
        case .symbol(.slash): self = .divide
        case .symbol(.doubleSlash): self = .floorDivide
        case .symbol(.ampersand): self = .bitwiseAnd
        case .symbol(.pipe): self = .bitwiseOr
        case .symbol(.tilde): self = .bitwiseXor
        case .symbol(.shiftLeft): self = .shiftLeft
        case .symbol(.shiftRight): self = .shiftRight
        case .symbol(.concat): self = .concat
        case .symbol(.equal): self = .equal
        case .symbol(.less): self = .less
        case .symbol(.lessEqual): self = .lessEqual
        case .symbol(.notEqual): self = .notEqual
        case .symbol(.greater): self = .greater
        case .symbol(.greaterEqual): self = .greaterEqual
        case .keyword(.and): self = .and
        case .keyword(.or): self = .or
        default: return nil
        }
    }

    /// (left, right) priorities: an operator continues an expression whose limit is below its
    /// left priority, and parses its right operand with its right priority as the limit.
    var priority: (left: Int, right: Int) {
        switch self {
        case .add, .subtract: return (10, 10)
        case .multiply, .modulo, .divide, .floorDivide: return (11, 11)
        case .power: return (14, 13)
        case .bitwiseAnd: return (6, 6)
        case .bitwiseOr: return (4, 4)
        case .bitwiseXor: return (5, 5)
        case .shiftLeft, .shiftRight: return (7, 7)
        case .concat: return (9, 8)
        case .equal, .less, .lessEqual, .notEqual, .greater, .greaterEqual: return (3, 3)
        case .and: return (2, 2)
        case .or: return (1, 1)
        }
    }
}
