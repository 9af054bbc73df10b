import Testing
import TemblorRuntime
import TemblorValue

@Suite struct StandardOperatorRegistryTests {
    @Test func holdsEveryStockOperator() throws {
        let registry = OperatorRegistry.standard
        #expect(registry.names == ["batch", "dedup", "filter", "passthrough", "round-robin", "throttle"])
        #expect(try registry.make("passthrough") is PassthroughOperator)
        #expect(try registry.make("batch") is BatchOperator)
        #expect(try registry.make("throttle", config: ["rate": 5]) is ThrottleOperator)
        #expect(try registry.make("round-robin", config: ["outputs": ["out", "b"]]) is RoundRobinOperator)
        #expect(try registry.make("dedup", config: ["field": "id"]) is DedupOperator)
        #expect(try registry.make("filter", config: ["field": "id", "exists": true]) is FilterOperator)
    }

    @Test func passesConfigurationErrorsThrough() {
        #expect(throws: OperatorError.badConfig(operator: "throttle", key: "rate",
                                                message: "missing; give the events per second to let through, as in rate: 100")) {
            try OperatorRegistry.standard.make("throttle")
        }
        #expect(throws: OperatorError.unknown(name: "batcher", known: ["batch", "dedup", "filter", "passthrough", "round-robin", "throttle"])) {
            try OperatorRegistry.standard.make("batcher")
        }
    }
}
