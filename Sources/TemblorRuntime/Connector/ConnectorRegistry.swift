/// The connector types a daemon can run, by their `type:` names.
public struct ConnectorRegistry: Sendable {
    private var factories: [String: any ConnectorFactory] = [:]

    public init(_ factories: [any ConnectorFactory] = []) {
        for factory in factories { register(factory) }
    }

    public mutating func register(_ factory: any ConnectorFactory) {
        factories[factory.info.name] = factory
    }

    public func factory(for type: String) -> (any ConnectorFactory)? { factories[type] }

    /// What flow validation needs to know about every type.
    public var infos: [ConnectorTypeInfo] { factories.values.map(\.info).sorted { $0.name < $1.name } }
}
