/// Refuses keys of the plugin table the host does not know (the loader would refuse them too),
/// suggesting the allowed key that was probably meant.
enum PluginKeyCheck {
    static func run(_ table: LuaPluginTable, allowedKeys: [String]) -> [LuaLintDiagnostic] {
        let allowed = Set(allowedKeys)
        return table.entries.filter { !allowed.contains($0.key) }.map { entry in
            let message: String
            if let suggestion = suggestion(for: entry.key, among: allowedKeys) {
                message = "unknown plugin key '\(entry.key)': did you mean '\(suggestion)'?"
            } else {
                message = "unknown plugin key '\(entry.key)'; the keys a plugin may have are: \(allowedKeys.joined(separator: ", "))"
            }
            return LuaLintDiagnostic(.error, at: entry.position, message)
        }
    }

    /// The allowed key closest to `key`, when close enough to be a typo: at most 2 edits, or
    /// 3 for keys longer than 6 bytes. Ties go to the key listed first.
    static func suggestion(for key: String, among allowedKeys: [String]) -> String? {
        let limit = key.utf8.count > 6 ? 3 : 2
        var best: (key: String, distance: Int)?
        for candidate in allowedKeys {
            let distance = editDistance(key, candidate)
            if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.key
    }

    /// Edits (insertions, deletions, substitutions, transpositions of adjacent bytes) that turn
    /// `a` into `b`: the optimal string alignment distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var row = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            row[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    row[j] = min(row[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, row) = (previous, row, previous2)
        }
        return previous[b.count]
    }
}
