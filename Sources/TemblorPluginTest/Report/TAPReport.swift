/// The report of `temblor test`, in TAP (the Test Anything Protocol, version 14): one line per
/// case, what went wrong as an indented YAML block under a failure, the plan and a summary.
struct TAPReport {
    private let write: (String) -> Void
    private(set) var number = 0
    private(set) var passed = 0
    private(set) var failed = 0
    private(set) var unloaded = 0

    init(write: @escaping (String) -> Void) {
        self.write = write
        write("TAP version 14\n")
    }

    func file(_ path: String) {
        write("# \(path)\n")
    }

    mutating func pass(_ name: String) {
        number += 1
        passed += 1
        write("ok \(number) - \(name)\n")
    }

    mutating func fail(_ name: String, message: String, logs: [String] = []) {
        number += 1
        failed += 1
        write("not ok \(number) - \(name)\n")
        block(message: message, logs: logs)
    }

    /// A test file (or the plugin it names) that did not load: no case of it ran.
    mutating func notLoaded(_ path: String, message: String) {
        number += 1
        unloaded += 1
        write("not ok \(number) - \(path) did not load\n")
        block(message: message, logs: [])
    }

    private func block(message: String, logs: [String]) {
        var text = "  ---\n  message: |\n"
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) { text += "    \(line)\n" }
        if !logs.isEmpty {
            text += "  logs: |\n"
            for line in logs.suffix(20) { text += "    \(line)\n" }
        }
        text += "  ...\n"
        write(text)
    }

    func finish() {
        write("1..\(number)\n")
        var summary = "# \(passed) passed, \(failed) failed"
        if unloaded > 0 { summary += ", \(unloaded) not loaded" }
        write(summary + "\n")
    }

    var summary: PluginTestSummary { PluginTestSummary(passed: passed, failed: failed, unloaded: unloaded) }
}
