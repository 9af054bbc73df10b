/// What one reload request did to every plugin it asked: the outcomes and their counts, and the
/// text `temblor reload` prints (one line per plugin, then the summary line).
public struct PluginReloadReport: Sendable, Equatable {
    public var outcomes: [PluginReloadOutcome]

    public init(_ outcomes: [PluginReloadOutcome]) {
        self.outcomes = outcomes
    }

    public var swapped: Int { outcomes.count { if case .swapped = $0.result { true } else { false } } }
    public var unchanged: Int { outcomes.count { if case .unchanged = $0.result { true } else { false } } }
    public var failed: Int { outcomes.count { if case .failed = $0.result { true } else { false } } }

    /// `ok N swapped, M unchanged, K failed`.
    public var summaryLine: String { "ok \(swapped) swapped, \(unchanged) unchanged, \(failed) failed" }

    /// Each outcome on one line (a multi-line error joined with `; `), then the summary line.
    public var lines: [String] { outcomes.map { Self.oneLine($0.description) } + [summaryLine] }

    /// `text` joined into one line: its non-empty lines, trimmed, separated by `; `.
    public static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).compactMap { line -> String? in
            var trimmed = line.drop { $0.isWhitespace }
            while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
            return trimmed.isEmpty ? nil : String(trimmed)
        }.joined(separator: "; ")
    }
}
