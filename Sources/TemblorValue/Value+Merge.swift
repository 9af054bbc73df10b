extension Value {
    /// This value laid over `base`: objects merge key by key (recursively, keeping `base`'s key
    /// order and appending new keys); anything else replaces what `base` had. A flow's `config`
    /// is merged over a plugin's `defaults` this way; a null overlay (no `config`) keeps `base`.
    public func merged(over base: Value) -> Value {
        if case .null = self { return base }
        guard case .object(let overlay) = self, case .object(var result) = base else {
            return self
        }
        for (key, value) in overlay {
            if let existing = result[key] {
                result[key] = value.merged(over: existing)
            } else {
                result[key] = value
            }
        }
        return .object(result)
    }
}
