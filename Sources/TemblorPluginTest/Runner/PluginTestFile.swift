import Foundation
import TemblorLua
import TemblorRuntime
import TemblorValue

/// One `*_test.lua` file: loaded in a sandboxed state of its own, its cases run one by one, each
/// with a fresh instance of the plugin it declared.
struct PluginTestFile {
    let path: String
    let libraryRoots: [String]
    let provider: (any LuaHostIOProvider)?

    /// A test file may use this much memory (its own tables, and the values it compares).
    static let memoryLimit = 512 << 20

    var directory: String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 1 ? parts.dropLast().joined(separator: "/") : "."
    }

    func run(into report: inout TAPReport) {
        report.file(path)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            report.notLoaded(path, message: "cannot read \(path): \(error.localizedDescription)")
            return
        }
        let script: LuaScriptState
        let cases: [Value]
        let specs: [Int: PluginTestSpec]
        do {
            script = try LuaScriptState(memoryLimit: Self.memoryLimit, requireRoots: [directory] + libraryRoots)
            try script.run(text, name: path)
            cases = try script.call("cases").first?.arrayValue ?? []
            specs = try Self.specs(of: cases, directory: LuaLibrary.absolute(directory))
            // Every plugin the file declares must load before any case runs.
            for spec in specs.values.sorted(by: { $0.path < $1.path }) {
                _ = try PluginUnderTest(spec: spec, testDirectory: LuaLibrary.absolute(directory), libraryRoots: libraryRoots, provider: nil) { _ in .null }
            }
        } catch let error as PluginTestError {
            report.notLoaded(path, message: error.message)
            return
        } catch {
            report.notLoaded(path, message: "\(error)")
            return
        }
        if cases.isEmpty {
            report.notLoaded(path, message: "\(path) declares no case: add t.case(name, function(p) ... end)")
            return
        }
        for (index, entry) in cases.enumerated() {
            let name = entry["name"]?.stringValue ?? "case \(index + 1)"
            guard let spec = entry["spec"]?.intValue.flatMap({ specs[Int($0)] }) else { continue }
            runCase(index + 1, name: name, spec: spec, script: script, into: &report)
        }
    }

    private func runCase(_ index: Int, name: String, spec: PluginTestSpec, script: LuaScriptState, into report: inout TAPReport) {
        let plugin: PluginUnderTest
        do {
            plugin = try PluginUnderTest(
                spec: spec, testDirectory: LuaLibrary.absolute(directory), libraryRoots: libraryRoots, provider: provider
            ) { request throws(LuaError) in
                try script.call("io", [request]).first ?? .null
            }
        } catch {
            report.fail(name, message: error.message)
            return
        }
        defer { plugin.finish() }
        var step = script.start("run", [.int(Int64(index))])
        while true {
            switch step {
            case .yielded(let thread, let values):
                let answer = plugin.answer(values.first ?? .null)
                if let failure = plugin.stubFailure {
                    report.fail(name, message: failure, logs: Self.lines(of: plugin))
                    return
                }
                step = script.resume(thread, with: answer)
            case .returned:
                report.pass(name)
                return
            case .failed(let error):
                report.fail(name, message: Self.message(of: error), logs: Self.lines(of: plugin))
                return
            }
        }
    }

    static func message(of error: LuaError) -> String {
        if case .runtime(let message) = error { return message }
        return "\(error)"
    }

    static func lines(of plugin: PluginUnderTest) -> [String] {
        plugin.log.all.map { "\($0.level): \($0.message)" }
    }

    /// The plugins the cases name, by their index in the file, read once each.
    private static func specs(of cases: [Value], directory: String) throws(PluginTestError) -> [Int: PluginTestSpec] {
        var specs: [Int: PluginTestSpec] = [:]
        for entry in cases {
            guard let index = entry["spec"]?.intValue.map(Int.init), specs[index] == nil else { continue }
            specs[index] = try PluginTestSpec(
                path: entry["plugin"]?.stringValue ?? "", options: entry["options"] ?? .null, directory: directory)
        }
        return specs
    }
}
