import TemblorValue

/// The pipeline operators Temblor knows, by the names flow files use.
public struct OperatorRegistry: Sendable {
    /// Makes a fresh operator from its configuration (`null` when the flow gave none).
    public typealias Factory = @Sendable (Value) throws(OperatorError) -> any Operator

    private var factories: [String: Factory] = [:]

    /// An empty registry; `standard` holds the stock operators.
    public init() {}

    public mutating func register(_ name: String, _ factory: @escaping Factory) {
        factories[name] = factory
    }

    public var names: [String] { factories.keys.sorted() }

    public func contains(_ name: String) -> Bool { factories[name] != nil }

    /// A new operator instance, or `.unknown` listing the names that exist.
    public func make(_ name: String, config: Value = .null) throws(OperatorError) -> any Operator {
        guard let factory = factories[name] else { throw .unknown(name: name, known: names) }
        return try factory(config)
    }
}
