import ArgumentParser
import Foundation
import TemblorConnectors
import TemblorPluginTest
import TemblorRuntime

/// `temblor test PATH...`: runs plugins' unit tests (`*_test.lua`) or fixtures in the real
/// sandbox, with a fake clock and stubbed host I/O, and reports in TAP.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run Lua plugins' tests (*_test.lua files, or fixtures).",
        discussion: """
            A directory is searched for *_test.lua files; files are run as given. With --fixtures DIR, the one PATH is a \
            plugin: DIR/input.jsonl is fed to it and what it emits is compared with DIR/expected.jsonl. See docs/plugin-testing.md. \
            Exit status: 0 when every case passed, 1 when one failed, 2 when a test file or plugin did not load.
            """
    )

    @Argument(help: "Plugin directories or test files; with --fixtures, the plugin.")
    var paths: [String]

    @Option(help: "A fixture directory (input.jsonl, expected.jsonl, optional config.json or options.json).")
    var fixtures: String?

    func run() throws {
        let runner = PluginTestRunner(provider: LuaIOProvider()) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        let summary: PluginTestSummary
        if let fixtures {
            guard paths.count == 1 else {
                StandardError.write("temblor test --fixtures takes one plugin, not \(paths.count) paths\n")
                throw ExitCode(2)
            }
            summary = runner.runFixtures(plugin: paths[0], directory: fixtures)
        } else {
            let files: [String]
            do {
                files = try PluginTestRunner.testFiles(in: paths)
            } catch {
                StandardError.write("\(error)\n")
                throw ExitCode(2)
            }
            summary = runner.run(files: files)
        }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
