import TemblorValue

/// Keeps the events whose payload field meets one condition and drops (acknowledges) the rest.
///
/// Config: `field` (a payload path) and exactly one of `equals` (any value), `exists` (true or
/// false) or `prefix` (the field is a string starting with it, compared byte for byte).
public struct FilterOperator: Operator, Sendable {
    /// What the field must satisfy for the event to pass.
    public enum Condition: Sendable, Equatable {
        /// The field is present and equal to this value.
        case equals(Value)
        /// The field is present (`true`) or absent (`false`).
        case exists(Bool)
        /// The field is a string that starts with this one.
        case prefix(String)
    }

    /// Where in the payload the tested value sits.
    public let field: ValuePath
    /// What that value must satisfy.
    public let condition: Condition

    /// Builds the operator from a flow's configuration.
    public init(config: Value) throws(OperatorError) {
        let conditionKeys = ["equals", "exists", "prefix"]
        let config = try OperatorConfig(operator: "filter", config, keys: ["field"] + conditionKeys)
        field = try config.path("field")
        let given = conditionKeys.filter { config.value($0) != nil }
        guard given.count == 1 else {
            let problem = given.isEmpty ? "no condition" : "conflicting conditions \(given.joined(separator: " and "))"
            throw config.error(given.last ?? "", "\(problem); give exactly one of equals, exists or prefix")
        }
        if let value = config.value("equals") {
            condition = .equals(value)
        } else if let exists = try config.bool("exists") {
            condition = .exists(exists)
        } else {
            condition = .prefix(try config.string("prefix") ?? "")
        }
    }

    /// Emits the event when its field meets the condition, else drops it.
    public mutating func process(_ event: consuming Event, into output: inout OperatorOutput) throws(OperatorError) {
        if matches(event.payload[path: field]) {
            output.emit(event)
        } else {
            output.drop(event)
        }
    }

    /// Whether a field value (`nil` when absent) meets the condition.
    private func matches(_ value: Value?) -> Bool {
        switch condition {
        case .equals(let expected):
            return value == expected
        case .exists(let wanted):
            return (value != nil) == wanted
        case .prefix(let prefix):
            guard let s = value?.stringValue else { return false }
            return s.utf8.starts(with: prefix.utf8)
        }
    }
}
