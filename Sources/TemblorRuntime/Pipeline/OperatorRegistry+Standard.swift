import TemblorValue

extension OperatorRegistry {
    /// Every stock operator, by the names flow files use.
    public static let standard: OperatorRegistry = {
        var registry = OperatorRegistry()
        registry.register("passthrough") { config throws(OperatorError) in try PassthroughOperator(config: config) }
        registry.register("batch") { config throws(OperatorError) in try BatchOperator(config: config) }
        registry.register("throttle") { config throws(OperatorError) in try ThrottleOperator(config: config) }
        registry.register("round-robin") { config throws(OperatorError) in try RoundRobinOperator(config: config) }
        registry.register("dedup") { config throws(OperatorError) in try DedupOperator(config: config) }
        registry.register("filter") { config throws(OperatorError) in try FilterOperator(config: config) }
        return registry
    }()
}
