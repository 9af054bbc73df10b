import TemblorValue

/// Checks a new version of a plugin against the flow's `config` before a reload: the flow was
/// written for the running version, so a key whose kind of value the new `defaults` change (a
/// number that became a string, a table that became a boolean) is a version the flow does not
/// fit. Keys the old defaults already disagreed on are left as they were.
enum LuaConfigCheck {
    /// A message naming the first key that no longer fits, or nil.
    static func mismatch(flow: Value, old: Value, new: Value, path: String = "config") -> String? {
        guard case .object(let flowObject) = flow else { return nil }
        guard case .object(let newObject) = new else {
            return new.isNull ? nil : "the new version's defaults are a \(new.typeName), not a table of settings"
        }
        let oldObject: Object? = if case .object(let o) = old { o } else { nil }
        for (key, value) in flowObject where !value.isNull {
            guard let newDefault = newObject[key], !newDefault.isNull else { continue }
            let oldDefault = oldObject?[key]
            let fittedBefore = oldDefault.map { kind($0) == kind(value) || $0.isNull } ?? true
            if fittedBefore && kind(newDefault) != kind(value) {
                return "\(path).\(key) is a \(kind(value)) in the flow, but the new version's default is a \(kind(newDefault))"
            }
            if let nested = mismatch(flow: value, old: oldDefault ?? .null, new: newDefault, path: "\(path).\(key)") { return nested }
        }
        return nil
    }

    private static func kind(_ value: Value) -> String {
        switch value {
        case .int, .uint, .float: "number"
        case .string: "string"
        case .bool: "boolean"
        case .array, .object: "table"
        case .bytes: "bytes"
        case .null: "null"
        }
    }
}
