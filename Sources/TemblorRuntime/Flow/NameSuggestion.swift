/// Finds the known name a misspelt one was probably meant to be, so that errors about unknown
/// names can say "did you mean 'file'?".
enum NameSuggestion {
    /// The closest of `known` to `name`, when it is close enough to be a typo: at most one edit
    /// for names of up to three characters, two for longer ones (a swap of neighbours is one).
    static func closest(to name: String, in known: some Sequence<String>) -> String? {
        let limit = name.count <= 3 ? 1 : 2
        var best: (name: String, distance: Int)?
        for candidate in known.sorted() where candidate != name {
            let distance = editDistance(name.lowercased(), candidate.lowercased())
            if distance <= limit && distance < max(name.count, candidate.count), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// `problem` followed by a suggestion and the known names:
    /// "unknown connector type 'fil' (did you mean 'file'?); known types: file, lua, null".
    static func message(_ problem: String, name: String, known: [String], knownLabel: String) -> String {
        var message = problem
        if let suggestion = closest(to: name, in: known) {
            message += " (did you mean '\(suggestion)'?)"
        }
        if known.isEmpty {
            message += "; none are defined"
        } else {
            message += "; \(knownLabel): \(known.joined(separator: ", "))"
        }
        return message
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    /// adjacent characters each cost one.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Three rows suffice: the swap rule looks two rows back.
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}
