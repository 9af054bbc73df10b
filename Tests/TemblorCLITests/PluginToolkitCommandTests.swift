import Foundation
import Testing

/// `temblor test`, `temblor new` and `temblor types`, driven from outside as a plugin author
/// drives them: the TAP report, the exit status, and scaffolds that work as written.
@Suite struct PluginToolkitCommandTests {
    static let data = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data/plugin-tests").path

    func test(_ arguments: String...) async throws -> TemblorProcess.Result {
        try await TemblorProcess.run(["test"] + arguments)
    }

    // MARK: - temblor test

    @Test func passingTestFilesReportEveryCaseAndExit0() async throws {
        let result = try await test(Self.data + "/passing")
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == "TAP version 14")
        #expect(lines.contains("# \(Self.data)/passing/enrich_test.lua"))
        for name in [
            "adds the field", "a bad event fails", "a source", "an HTTP sink", "an endless loop is stopped by the instruction limit",
            "reload carries the state through on_reload", "redis via tcp stub", "redis timeout on fake clock", "grants are checked",
            "datagrams", "fs stub and reload of the table", "operator routes",
        ] {
            #expect(lines.contains { $0.hasPrefix("ok ") && $0.hasSuffix(" - \(name)") }, "no passing case '\(name)'")
        }
        #expect(lines.suffix(2) == ["1..13", "# 13 passed, 0 failed"])
    }

    @Test func aFailedAssertionShowsWhereAndWhatDifferedAndExits1() async throws {
        let result = try await test(Self.data + "/failing/failing_test.lua")
        #expect(result.status == 1)
        let text = result.stdoutText
        #expect(text.contains("ok 1 - passes\n"))
        #expect(text.contains("not ok 2 - expects another message\n  ---\n  message: |\n"), "\(text)")
        // The file keeps its name in the message, however long the path (a long one is cut at its start).
        #expect(text.contains("""
            failing/failing_test.lua:9: not the same (1 difference)
                  [1].payload.msg: expected "ho", got "hi"
            """), "\(text)")
        #expect(text.contains("not ok 3 - runs a source that never ends"))
        #expect(text.contains("the source was still running after 24 hours of fake time: give run_source { events = N } or { ms = T }"))
        // A stub that raises fails the case with the stub's own error, and the plugin's side is in the logs.
        #expect(text.contains("not ok 4 - a stub that raises"))
        #expect(text.contains("failing/failing_test.lua:16: stub exploded"))
        #expect(text.contains("the http stub failed: "))
        #expect(text.contains("passing/sink.lua:6: push failed: the stub failed"))
        #expect(text.hasSuffix("1..4\n# 1 passed, 3 failed\n"))
    }

    @Test func aPluginOrTestFileThatDoesNotLoadExits2AndSaysWhy() async throws {
        let unloadable = try await test(Self.data + "/unloadable")
        #expect(unloadable.status == 2)
        #expect(unloadable.stdoutText.contains("not ok 1 - \(Self.data)/unloadable/unloadable_test.lua did not load"))
        #expect(unloadable.stdoutText.contains("unknown key 'on_evnet' in the plugin table"), "\(unloadable.stdoutText)")
        #expect(!unloadable.stdoutText.contains("never runs"))

        let syntax = try await test(Self.data + "/syntax")
        #expect(syntax.status == 2)
        #expect(syntax.stdoutText.contains("syntax/syntax_test.lua:3: ')' expected (to close '(' at line 2)"))

        // Both together: one file that does not load makes the whole run exit 2.
        let both = try await test(Self.data + "/passing", Self.data + "/syntax")
        #expect(both.status == 2)
        #expect(both.stdoutText.hasSuffix("# 13 passed, 0 failed, 1 not loaded\n"))
    }

    @Test func aPathWithoutTestsIsAnErrorThatSaysWhatTestFilesAreCalled() async throws {
        let empty = try await test(Self.data + "/fixtures/ops")
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("no *_test.lua file in it (test files are named like NAME_test.lua)"))
        let missing = try await test(Self.data + "/nowhere")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("nowhere: no such file or directory"))
    }

    @Test func fixturesCompareWhatThePluginEmittedLineByLine() async throws {
        let plugin = Self.data + "/fixtures/router.lua"
        let passing = try await test(plugin, "--fixtures", Self.data + "/fixtures/ops")
        #expect(passing.status == 0, "\(passing.stdoutText)")
        #expect(passing.stdoutText.contains("ok 1 - fixtures \(Self.data)/fixtures/ops\n"))

        let wrong = try await test(plugin, "--fixtures", Self.data + "/fixtures/wrong")
        #expect(wrong.status == 1)
        #expect(wrong.stdoutText.contains("emitted 2 events, expected.jsonl has 1"), "\(wrong.stdoutText)")
        #expect(wrong.stdoutText.contains(#"[2]: expected nil, got { meta = {}, payload = { level = "error" }, port = "errors" }"#), "\(wrong.stdoutText)")

        let missing = try await test(plugin, "--fixtures", Self.data + "/passing")
        #expect(missing.status == 2)
        #expect(missing.stdoutText.contains("passing/expected.jsonl: no such file"))
    }

    // MARK: - temblor new

    @Test(arguments: ["source", "sink", "connector", "operator"])
    func aNewPluginPassesItsTestsAndItsFlowRuns(kind: String) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-new-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let directory = root + "/my-\(kind)"
        let made = try await TemblorProcess.run(["new", kind, "my-\(kind)", "--dir", directory])
        #expect(made.status == 0, "\(made.stderr)")
        for file in ["init.lua", "my-\(kind)_test.lua", "fixtures/basic/expected.jsonl", "flow.yaml", ".luarc.json"] {
            #expect(FileManager.default.fileExists(atPath: directory + "/" + file), "\(file) was not written")
        }
        let tested = try await test(directory)
        #expect(tested.status == 0, "\(tested.stdoutText)")
        #expect(tested.stdoutText.contains(", 0 failed"))
        if kind != "sink" {
            let fixtures = try await test(directory + "/init.lua", "--fixtures", directory + "/fixtures/basic")
            #expect(fixtures.status == 0, "\(fixtures.stdoutText)")
        }
        let checked = try await TemblorProcess.run(["check", directory + "/flow.yaml"])
        #expect(checked.status == 0, "\(checked.stderr)")
        let ran = try await TemblorProcess.run(["run", directory + "/flow.yaml", "--control", "none"])
        #expect(ran.status == 0, "\(ran.stderr)")
        let out = try String(contentsOfFile: directory + "/out.jsonl", encoding: .utf8).split(separator: "\n")
        switch kind {
        case "source": #expect(out.count == 3 && out[0].contains(#""n":1"#))
        case "sink": #expect(out.count == 2 && out[1] == #"{"msg":"there"}"#)
        case "connector": #expect(out.count == 2 && out.allSatisfy { $0.contains(#""seen_by":"my-connector""#) })
        default: #expect(out.count == 1 && out[0].contains(#""checked":true"#))
        }
        let luarc = try String(contentsOfFile: directory + "/.luarc.json", encoding: .utf8)
        let types = try await TemblorProcess.run(["types", "--path"])
        #expect(luarc.contains(#""workspace.library": [""# + types.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) + #""]"#))
    }

    @Test func newRefusesToOverwriteAnythingAndChecksTheName() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-new-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/taken", withIntermediateDirectories: true)
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: root + "/taken/flow.yaml"))
        let refused = try await TemblorProcess.run(["new", "source", "taken", "--dir", root + "/taken"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(root)/taken/flow.yaml already exists; nothing was written"))
        #expect(try String(contentsOfFile: root + "/taken/flow.yaml", encoding: .utf8) == "mine\n")
        #expect(!FileManager.default.fileExists(atPath: root + "/taken/init.lua"))

        let badName = try await TemblorProcess.run(["new", "sink", "../escape", "--dir", root + "/x"])
        #expect(badName.status != 0)
        #expect(badName.stderr.contains("must be letters, digits, - and _, starting with a letter"))
        let badKind = try await TemblorProcess.run(["new", "widget", "w", "--dir", root + "/w"])
        #expect(badKind.status != 0)
        #expect(badKind.stderr.contains("'source', 'sink', 'connector' or 'operator'"))
        #expect(!FileManager.default.fileExists(atPath: root + "/x") && !FileManager.default.fileExists(atPath: root + "/w"))
    }

    // MARK: - temblor types

    @Test func typesSaysWhereTheAnnotationsAreAndPrintsThem() async throws {
        let path = try await TemblorProcess.run(["types", "--path"])
        #expect(path.status == 0)
        let folder = path.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(folder.hasSuffix("/lua/types"))
        let printed = try await TemblorProcess.run(["types"])
        #expect(printed.status == 0)
        #expect(printed.stdoutText == (try String(contentsOfFile: folder + "/temblor.lua", encoding: .utf8)))
        #expect(printed.stdoutText.hasPrefix("---@meta temblor"))
    }
}

/// `temblor check` as a lint: what a load cannot point at, with file, line and column.
@Suite struct CheckLintCommandTests {
    static let lint = PluginToolkitCommandTests.data + "/lint"

    @Test func aMisspeltHookIsAnErrorWithASuggestionAndAGlobalAWarning() async throws {
        let result = try await TemblorProcess.run(["check", Self.lint + "/misspelt.lua"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(Self.lint)/misspelt.lua:4:3: error: unknown plugin key 'on_evnet': did you mean 'on_event'?"), "\(result.stderr)")
        #expect(result.stderr.contains("\(Self.lint)/misspelt.lua:5:5: warning: assignment to global 'total': declare it with 'local'"))
        #expect(result.stdoutText.isEmpty)
    }

    @Test func anApiNewerThanTheHostsIsRefused() async throws {
        let result = try await TemblorProcess.run(["check", Self.lint + "/newer.lua"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("newer.lua:1:16: error: the plugin declares api = 2, but this Temblor provides host API 1"), "\(result.stderr)")
    }

    @Test func modulesOfAPluginDirectoryAreLintedWithoutPluginTableChecks() async throws {
        let result = try await TemblorProcess.run(["check", Self.lint + "/dir"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("\(Self.lint)/dir/util.lua:2:17: warning: assignment to global 'seen'"), "\(result.stderr)")
        #expect(!result.stderr.contains("unknown plugin key"))
        #expect(result.stdoutText.contains(": ok: plugin dir, hooks on_event (1 warning)"))
    }

    @Test func inAFlowHostIOThatNoGrantAllowsIsAWarningAtItsLine() async throws {
        let result = try await TemblorProcess.run(["check", Self.lint + "/flow.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains(
            "\(Self.lint)/sink.lua:5:27: warning: temblor.http.request needs a net grant, and connector 'push' has no allow.net: add the addresses it reaches (host:port) to its allow.net"),
            "\(result.stderr)")
        // The connector granted the file it reads gets no warning.
        #expect(!result.stderr.contains("lookup.lua"))
        #expect(result.stdoutText == "\(Self.lint)/flow.yaml: ok (1 warning)\n")
    }
}

/// The gallery of examples/plugins: every plugin's tests pass, and its flow checks clean.
@Suite struct PluginGalleryTests {
    static let gallery = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/plugins").path

    @Test func everyGalleryPluginPassesItsTests() async throws {
        let plugins = try FileManager.default.contentsOfDirectory(atPath: Self.gallery).filter { !$0.hasSuffix(".md") }.sorted()
        #expect(plugins.count >= 10, "\(plugins)")
        let result = try await TemblorProcess.run(["test", Self.gallery])
        #expect(result.status == 0, "\(result.stdoutText)")
        for plugin in plugins {
            #expect(result.stdoutText.contains("# \(Self.gallery)/\(plugin)/"), "\(plugin) has no test file")
            let checked = try await TemblorProcess.run(["check", Self.gallery + "/" + plugin + "/flow.yaml"])
            #expect(checked.status == 0, "\(plugin): \(checked.stderr)")
            #expect(FileManager.default.fileExists(atPath: Self.gallery + "/" + plugin + "/README.md"))
        }
    }
}
