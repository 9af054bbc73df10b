import TemblorRuntime
import TemblorValue

/// Typed reads of a connector's configuration, each failing with the key to fix.
struct ConfigReader {
    let config: Value

    init(_ config: Value, allowed: Set<String>) throws(ConnectorConfigError) {
        self.config = config
        switch config {
        case .null:
            return
        case .object(let object):
            for key in object.keys where !allowed.contains(key) {
                throw ConnectorConfigError(key: key, "unknown key; known keys: \(allowed.sorted().joined(separator: ", "))")
            }
        default:
            throw ConnectorConfigError(key: "", "config must be a mapping of keys to values, not \(config.typeName)")
        }
    }

    func string(_ key: String) throws(ConnectorConfigError) -> String? {
        guard let raw = config[key] else { return nil }
        guard let s = raw.stringValue else { throw ConnectorConfigError(key: key, "expected a string, got \(raw)") }
        return s
    }

    func requiredString(_ key: String) throws(ConnectorConfigError) -> String {
        guard let s = try string(key) else { throw ConnectorConfigError(key: key, "missing; this connector needs '\(key)'") }
        return s
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(ConnectorConfigError) -> Int? {
        guard let raw = config[key] else { return nil }
        guard let i = raw.intValue, let n = Int(exactly: i), range.contains(n) else {
            throw ConnectorConfigError(key: key, "expected an integer in \(range.lowerBound)...\(range.upperBound), got \(raw)")
        }
        return n
    }

    func bool(_ key: String) throws(ConnectorConfigError) -> Bool? {
        guard let raw = config[key] else { return nil }
        guard let b = raw.boolValue else { throw ConnectorConfigError(key: key, "expected true or false, got \(raw)") }
        return b
    }

    func double(_ key: String, above minimum: Double) throws(ConnectorConfigError) -> Double? {
        guard let raw = config[key] else { return nil }
        guard let d = raw.doubleValue, d > minimum, d.isFinite else {
            throw ConnectorConfigError(key: key, "expected a number above \(minimum), got \(raw)")
        }
        return d
    }

    func choice(_ key: String, default defaultValue: String, in choices: [String]) throws(ConnectorConfigError) -> String {
        let s = try string(key) ?? defaultValue
        guard choices.contains(s) else {
            throw ConnectorConfigError(key: key, "expected one of \(choices.joined(separator: ", ")), got '\(s)'")
        }
        return s
    }
}
