extension Value: Equatable {
    /// Integers compare by number whatever their case; floats compare as numbers, except that
    /// NaN equals NaN so that values stay usable as set members and dictionary keys.
    /// Integers never equal floats: `1` and `1.0` are different values, as in Lua 5.4.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int(let a), .uint(let b)), (.uint(let b), .int(let a)): return a >= 0 && UInt64(a) == b
        case (.float(let a), .float(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension Value: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let b):
            hasher.combine(1 as UInt8)
            hasher.combine(b)
        case .int(let i):
            hasher.combine(2 as UInt8)
            hasher.combine(UInt64(bitPattern: i))
            hasher.combine(i < 0)
        case .uint(let u):
            // Hash like `.int` when it fits, to agree with `==`.
            hasher.combine(2 as UInt8)
            hasher.combine(u)
            hasher.combine(false)
        case .float(let f):
            hasher.combine(3 as UInt8)
            if f.isNaN {
                hasher.combine(Double.nan.bitPattern)
            } else {
                hasher.combine(f == 0 ? 0 : f.bitPattern)  // -0.0 == 0.0
            }
        case .string(let s):
            hasher.combine(4 as UInt8)
            hasher.combine(s)
        case .bytes(let b):
            hasher.combine(5 as UInt8)
            hasher.combine(b)
        case .array(let a):
            hasher.combine(6 as UInt8)
            hasher.combine(a)
        case .object(let o):
            hasher.combine(7 as UInt8)
            hasher.combine(o)
        }
    }
}
