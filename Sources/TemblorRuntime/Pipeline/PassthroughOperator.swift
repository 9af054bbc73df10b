import TemblorValue

/// Forwards every event unchanged: the identity step, and a placeholder while a flow is built.
public struct PassthroughOperator: Operator {
    public init() {}

    /// Takes no configuration.
    public init(config: Value) throws(OperatorError) {
        guard config.isNull || config.objectValue?.isEmpty == true else {
            throw .badConfig(operator: "passthrough", key: "", message: "takes no configuration")
        }
    }

    public mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        output.emit(event)
    }

    public var forwardsUnchanged: Bool { true }
}
