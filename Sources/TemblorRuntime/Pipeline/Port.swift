/// A named input or output of a connector or pipeline: links join an output port to an input port.
public struct Port: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Where events enter a pipeline or a sink.
    public static let `in` = Port("in")
    /// Where a source or pipeline sends what it produced.
    public static let out = Port("out")
    /// Where events that failed (bad input, operator errors) go, so they are not lost.
    public static let err = Port("err")

    public var description: String { name }
}
