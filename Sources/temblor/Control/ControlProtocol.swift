import TemblorRuntime

/// The control socket's line protocol: the client sends `reload\n`; the daemon answers one line
/// per plugin outcome, then `ok N swapped, M unchanged, K failed\n`, and closes.
enum ControlProtocol {
    static let reload = "reload"

    /// The counts of the last line of a reply.
    struct Summary: Equatable {
        var swapped: Int
        var unchanged: Int
        var failed: Int

        var line: String { "ok \(swapped) swapped, \(unchanged) unchanged, \(failed) failed" }
    }

    /// The reply to `reload`: each outcome on one line, then the summary.
    static func reply(_ outcomes: [PluginReloadOutcome]) -> String {
        PluginReloadReport(outcomes).lines.map { $0 + "\n" }.joined()
    }

    /// The reply to a request the daemon does not know.
    static func unknown(_ request: String) -> String {
        "error unknown request \"\(oneLine(request))\" (known: \(reload))\n"
    }

    /// The summary of a reply's last line, nil when the line is something else.
    static func summary(_ line: Substring) -> Summary? {
        let words = line.split(separator: " ")
        guard words.count == 7, words[0] == "ok", words[2] == "swapped,", words[4] == "unchanged,", words[6] == "failed",
            let swapped = Int(words[1]), let unchanged = Int(words[3]), let failed = Int(words[5])
        else { return nil }
        return Summary(swapped: swapped, unchanged: unchanged, failed: failed)
    }

    static func oneLine(_ text: String) -> String {
        PluginReloadReport.oneLine(text)
    }
}
