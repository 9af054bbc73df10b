import Foundation
import Testing

/// docs/plugin-tutorial.md is run as written: its files are written, its edits made and its
/// commands run in order in an empty directory, and what it shows each command print must be
/// what the command printed.
@Suite struct PluginTutorialTests {
    static let tutorial = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/plugin-tutorial.md")

    /// One thing the tutorial does.
    enum Step {
        case write(path: String, content: String)
        case edit(path: String, old: String, new: String)
        case run(command: String, expected: [String])
    }

    static func steps(of text: String) -> [Step] {
        var steps: [Step] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
        var directive: String?
        while let line = lines.popFirst() {
            if line.hasPrefix("<!-- "), line.hasSuffix(" -->") {
                directive = String(line.dropFirst(5).dropLast(4))
                continue
            }
            guard line.hasPrefix("```") else { continue }
            let language = line.dropFirst(3)
            var block: [String] = []
            while let inner = lines.popFirst(), inner != "```" { block.append(inner) }
            defer { directive = nil }
            if let directive, directive.hasPrefix("file: ") {
                steps.append(.write(path: String(directive.dropFirst(6)), content: block.joined(separator: "\n") + "\n"))
            } else if let directive, directive.hasPrefix("edit: ") {
                let rest = directive.dropFirst(6)
                let colon = rest.range(of: ": ")!
                let change = rest[colon.upperBound...].components(separatedBy: " -> ")
                steps.append(.edit(path: String(rest[..<colon.lowerBound]), old: change[0], new: change[1]))
            } else if language == "sh" {
                for entry in block {
                    if entry.hasPrefix("$ ") {
                        steps.append(.run(command: String(entry.dropFirst(2)), expected: []))
                    } else if case .run(let command, let expected)? = steps.last {
                        steps[steps.count - 1] = .run(command: command, expected: expected + [entry])
                    }
                }
            }
        }
        return steps
    }

    /// Equal as text, or, for JSON objects, equal as values (a Lua table keeps no key order).
    static func same(_ actual: String, _ expected: String) -> Bool {
        if actual == expected { return true }
        guard expected.hasPrefix("{"),
              let a = try? JSONSerialization.jsonObject(with: Data(actual.utf8)) as? NSDictionary,
              let e = try? JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSDictionary
        else { return false }
        return a == e
    }

    @Test func everyCommandOfTheTutorialDoesWhatItSays() async throws {
        let text = try String(contentsOf: Self.tutorial, encoding: .utf8)
        let steps = Self.steps(of: text)
        #expect(steps.filter { if case .run = $0 { true } else { false } }.count >= 12)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-tutorial-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer {
            if let pid = try? String(contentsOfFile: root + "/temblor.pid", encoding: .utf8), let number = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(number, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: root)
        }
        let bin = TemblorProcess.executable.deletingLastPathComponent().path
        for step in steps {
            switch step {
            case .write(let path, let content):
                let full = root + "/" + path
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try content.write(toFile: full, atomically: false, encoding: .utf8)
            case .edit(let path, let old, let new):
                let full = root + "/" + path
                let content = try String(contentsOfFile: full, encoding: .utf8)
                #expect(content.components(separatedBy: old).count == 2, "the tutorial edits '\(old)' in \(path), which is not there once")
                try content.replacingOccurrences(of: old, with: new).write(toFile: full, atomically: false, encoding: .utf8)
            case .run(let command, let expected):
                let (status, output) = try await TemblorProcess.offPool { try Self.shell(command, in: root, path: bin) }
                #expect(status == 0, "`\(command)` exited \(status):\n\(output)")
                var remaining = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
                for line in expected {
                    guard let found = remaining.firstIndex(where: { Self.same($0, line) }) else {
                        Issue.record("`\(command)` did not print, in order, the line:\n\(line)\nit printed:\n\(output)")
                        break
                    }
                    remaining = remaining[(found + 1)...]
                }
            }
        }
    }

    /// Runs one command line with bash in `directory`, `temblor` first on the PATH, for at most a
    /// minute. Through `system`, which waits for the shell alone: a command that leaves a process
    /// in the background (the running flow) returns once the shell is done.
    static func shell(_ command: String, in directory: String, path: String) throws -> (Int32, String) {
        let id = UUID().uuidString
        let script = directory + "/.command-\(id).sh"
        let log = directory + "/.command-\(id).log"
        defer {
            try? FileManager.default.removeItem(atPath: script)
            try? FileManager.default.removeItem(atPath: log)
        }
        try (command + "\n").write(toFile: script, atomically: true, encoding: .utf8)
        let status = system("cd '\(directory)' && PATH='\(path)':\"$PATH\" timeout 60 /bin/bash '\(script)' < /dev/null > '\(log)' 2>&1")
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return ((status >> 8) & 0xff, output)
    }
}
