import TemblorValue

/// Typed reads of a codec's or processor's configuration, each failing with a message that
/// names the component and the key to fix.
public struct CodecConfig: Sendable {
    /// The component the configuration belongs to, as error messages name it.
    public let name: String
    /// The configuration object (`null` when none was given).
    public let value: Value

    public init(name: String, value: Value = .null) {
        self.name = name
        self.value = value
    }

    /// Fails when the configuration holds a key the component does not read, so typos surface.
    public func allowOnly(_ keys: Set<String>) throws(CodecError) {
        switch value {
        case .null:
            return
        case .object(let object):
            for key in object.keys where !keys.contains(key) {
                let known = keys.isEmpty ? "it takes no configuration" : "known keys: \(keys.sorted().joined(separator: ", "))"
                throw .badConfig(name: name, key: key, message: "unknown key; \(known)")
            }
        default:
            throw .badConfig(name: name, key: "", message: "configuration must be an object, not \(value.typeName)")
        }
    }

    /// An integer setting within `range`, or `defaultValue` when absent.
    public func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int> = Int.min...Int.max) throws(CodecError) -> Int {
        guard let raw = value[key] else { return defaultValue }
        guard let i = raw.intValue, let n = Int(exactly: i), range.contains(n) else {
            throw .badConfig(name: name, key: key, message: "expected an integer in \(range.lowerBound)...\(range.upperBound), got \(raw)")
        }
        return n
    }

    /// A string setting, or `defaultValue` when absent.
    public func string(_ key: String, default defaultValue: String) throws(CodecError) -> String {
        guard let raw = value[key] else { return defaultValue }
        guard let s = raw.stringValue else {
            throw .badConfig(name: name, key: key, message: "expected a string, got \(raw)")
        }
        return s
    }

    /// A boolean setting, or `defaultValue` when absent.
    public func bool(_ key: String, default defaultValue: Bool) throws(CodecError) -> Bool {
        guard let raw = value[key] else { return defaultValue }
        guard let b = raw.boolValue else {
            throw .badConfig(name: name, key: key, message: "expected true or false, got \(raw)")
        }
        return b
    }

    /// A string setting restricted to `choices`.
    public func choice(_ key: String, default defaultValue: String, in choices: [String]) throws(CodecError) -> String {
        let s = try string(key, default: defaultValue)
        guard choices.contains(s) else {
            throw .badConfig(name: name, key: key, message: "expected one of \(choices.joined(separator: ", ")), got '\(s)'")
        }
        return s
    }
}
