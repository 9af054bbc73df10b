import Foundation
import TemblorLua
import TemblorRuntime

/// `temblor test`: finds the test files, runs every case and writes the TAP report.
public struct PluginTestRunner {
    /// Where `require` finds Temblor's own modules (`temblor.test` among them).
    public var libraryRoots: [String]
    /// Real host I/O, for the calls no stub answers.
    public var provider: (any LuaHostIOProvider)?
    /// Where the report goes, as it is written.
    public var write: (String) -> Void

    public init(libraryRoots: [String] = LuaLibrary.roots, provider: (any LuaHostIOProvider)? = nil, write: @escaping (String) -> Void) {
        self.libraryRoots = libraryRoots
        self.provider = provider
        self.write = write
    }

    /// The test files `paths` name: files as given, and every `*_test.lua` under a directory
    /// (hidden directories skipped), sorted.
    public static func testFiles(in paths: [String]) throws(PluginTestError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw PluginTestError("\(path): no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let base = path.hasSuffix("/") ? String(path.dropLast()) : path
            guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                if relative.hasSuffix("_test.lua") { found.append(base + "/" + relative) }
            }
            if found.isEmpty { throw PluginTestError("\(path): no *_test.lua file in it (test files are named like NAME_test.lua)") }
            files += found.sorted()
        }
        return files
    }

    /// Runs every case of `files`.
    public func run(files: [String]) -> PluginTestSummary {
        var report = TAPReport(write: write)
        for file in files {
            PluginTestFile(path: file, libraryRoots: libraryRoots, provider: provider).run(into: &report)
        }
        report.finish()
        return report.summary
    }

    /// `--fixtures DIR`: feeds `DIR/input.jsonl` to the plugin (or runs its source) and compares
    /// what it emitted with `DIR/expected.jsonl`.
    public func runFixtures(plugin: String, directory: String) -> PluginTestSummary {
        var report = TAPReport(write: write)
        PluginFixtureRun(plugin: plugin, directory: directory, libraryRoots: libraryRoots, provider: provider).run(into: &report)
        report.finish()
        return report.summary
    }
}
