/// A structured event value: what codecs decode into, what pipelines and Lua plugins see.
///
/// Integers stay integers: `.int` holds every value that fits `Int64`, `.uint` only those above
/// `Int64.max`, so that 64-bit ids and counters survive a round trip through any codec.
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    /// An unsigned integer above `Int64.max`; smaller ones are `.int`.
    case uint(UInt64)
    case float(Double)
    case string(String)
    /// Raw bytes, kept apart from strings so that binary data is never mistaken for text.
    case bytes([UInt8])
    case array([Value])
    /// An object whose keys keep their insertion order.
    case object(Object)
}

extension Value {
    /// Builds an integer value in its canonical case (`.int` when it fits, `.uint` above).
    @inlinable
    public static func integer(_ value: UInt64) -> Value {
        value <= UInt64(Int64.max) ? .int(Int64(value)) : .uint(value)
    }

    /// The name of the value's kind, as error messages and `describe` show it.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .int, .uint: "integer"
        case .float: "float"
        case .string: "string"
        case .bytes: "bytes"
        case .array: "array"
        case .object: "object"
        }
    }

    @inlinable public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    @inlinable public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as `Int64`, when it is an integer that fits.
    @inlinable public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .uint(let u): return u <= UInt64(Int64.max) ? Int64(u) : nil
        default: return nil
        }
    }

    /// The value as `UInt64`, when it is a non-negative integer.
    @inlinable public var uintValue: UInt64? {
        switch self {
        case .int(let i): return i >= 0 ? UInt64(i) : nil
        case .uint(let u): return u
        default: return nil
        }
    }

    /// The value as `Double`, for any number (integers convert, possibly rounding).
    @inlinable public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .float(let f): return f
        default: return nil
        }
    }

    @inlinable public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    @inlinable public var bytesValue: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    @inlinable public var arrayValue: [Value]? {
        if case .array(let a) = self { return a }
        return nil
    }

    @inlinable public var objectValue: Object? {
        if case .object(let o) = self { return o }
        return nil
    }
}
