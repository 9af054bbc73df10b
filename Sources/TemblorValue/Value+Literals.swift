extension Value: ExpressibleByNilLiteral {
    /// `nil` in a literal is JSON's `null`.
    public init(nilLiteral: ()) { self = .null }
}

extension Value: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension Value: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension Value: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .float(value) }
}

extension Value: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension Value: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
}

extension Value: ExpressibleByDictionaryLiteral {
    /// Keys keep the order written in the literal.
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(Object(elements.lazy.map { (key: $0.0, value: $0.1) }))
    }
}

extension Value {
    /// Wraps a Swift integer in its canonical case.
    @inlinable
    public init<I: BinaryInteger>(_ value: I) {
        if let i = Int64(exactly: value) {
            self = .int(i)
        } else {
            self = .uint(UInt64(value))
        }
    }
}
