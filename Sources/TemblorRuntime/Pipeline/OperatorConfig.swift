import TemblorValue

/// Typed reads of an operator's configuration, each failing with a message that names the
/// operator and the key to fix.
struct OperatorConfig {
    /// The operator's name, as flow files and error messages spell it.
    let name: String
    /// The configuration's keys (empty when the flow gave none).
    let object: Object

    /// Accepts `null` or an object whose keys are all in `keys`, so typos surface.
    init(operator name: String, _ value: Value, keys: [String]) throws(OperatorError) {
        self.name = name
        switch value {
        case .null:
            object = Object()
        case .object(let object):
            for key in object.keys where !keys.contains(key) {
                throw .badConfig(operator: name, key: key, message: "unknown key; known keys: \(keys.sorted().joined(separator: ", "))")
            }
            self.object = object
        default:
            throw .badConfig(operator: name, key: "", message: "configuration must be an object, not \(value.typeName)")
        }
    }

    /// The raw value of `key`, `nil` when absent.
    func value(_ key: String) -> Value? { object[key] }

    /// An error for `key` with `message`.
    func error(_ key: String, _ message: String) -> OperatorError {
        .badConfig(operator: name, key: key, message: message)
    }

    /// An integer within `range`, `nil` when absent.
    func int(_ key: String, in range: ClosedRange<Int>) throws(OperatorError) -> Int? {
        guard let raw = object[key] else { return nil }
        guard let i = raw.intValue, let n = Int(exactly: i), range.contains(n) else {
            let bounds = range.upperBound == Int.max
                ? "of at least \(range.lowerBound)" : "in \(range.lowerBound)...\(range.upperBound)"
            throw error(key, "expected an integer \(bounds), got \(raw)")
        }
        return n
    }

    /// A finite number (integer or float), `nil` when absent.
    func number(_ key: String) throws(OperatorError) -> Double? {
        guard let raw = object[key] else { return nil }
        guard let d = raw.doubleValue, d.isFinite else {
            throw error(key, "expected a number, got \(raw)")
        }
        return d
    }

    /// A string, `nil` when absent.
    func string(_ key: String) throws(OperatorError) -> String? {
        guard let raw = object[key] else { return nil }
        guard let s = raw.stringValue else { throw error(key, "expected a string, got \(raw)") }
        return s
    }

    /// A boolean, `nil` when absent.
    func bool(_ key: String) throws(OperatorError) -> Bool? {
        guard let raw = object[key] else { return nil }
        guard let b = raw.boolValue else { throw error(key, "expected true or false, got \(raw)") }
        return b
    }

    /// A required dotted path into the payload, such as `user.id` or `tags[0]`.
    func path(_ key: String) throws(OperatorError) -> ValuePath {
        guard let text = try string(key) else {
            throw error(key, "missing; give the dotted path of a payload field, as in \(key): user.id")
        }
        do {
            return try ValuePath(text)
        } catch {
            throw self.error(key, error.description)
        }
    }

    /// Milliseconds as nanoseconds, `nil` when absent; bounded so the conversion cannot overflow.
    func milliseconds(_ key: String) throws(OperatorError) -> UInt64? {
        guard let ms = try int(key, in: 1...Int(UInt64.max / 1_000_000 / 2)) else { return nil }
        return UInt64(ms) * 1_000_000
    }
}
