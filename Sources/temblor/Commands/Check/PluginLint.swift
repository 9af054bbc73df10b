import Foundation
import TemblorLua
import TemblorLuaLint
import TemblorValue

/// The lint `temblor check` runs on a plugin's files before loading them: mistakes a load
/// cannot point at (a misspelt hook, a global), with file, line and column.
struct PluginLint {
    /// The keys a plugin table may have.
    static let keys = ["api", "name", "defaults", "ports", "connect", "on_start", "on_pause", "on_resume", "on_drain", "on_stop", "source", "on_event", "on_reload"]

    struct File {
        var path: String
        var report: LuaLint.Report
    }

    /// The plugin's main file and, for a plugin directory, the modules beside it (test files
    /// aside), each linted.
    var files: [File] = []

    init(plugin path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let main = isDirectory.boolValue ? base + "/init.lua" : path
        files.append(Self.lint(main, allowedKeys: Self.keys))
        guard isDirectory.boolValue, let walker = FileManager.default.enumerator(atPath: base) else { return }
        var modules: [String] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".lua"), relative != "init.lua", !relative.hasSuffix("_test.lua"),
                  !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") || $0 == "fixtures" })
            else { continue }
            modules.append(base + "/" + relative)
        }
        files += modules.sorted().map { Self.lint($0, allowedKeys: nil) }
    }

    private static func lint(_ path: String, allowedKeys: [String]?) -> File {
        guard let data = FileManager.default.contents(atPath: path) else {
            return File(path: path, report: LuaLint.Report(diagnostics: [], hostIOCalls: []))
        }
        let text = String(decoding: data, as: UTF8.self)
        return File(path: path, report: LuaLint.check(text, hostAPI: LuaState.hostAPIVersion, allowedKeys: allowedKeys))
    }

    var diagnostics: [String] {
        files.flatMap { file in file.report.diagnostics.map { $0.formatted(file: file.path) } }
    }

    var errorCount: Int { files.reduce(0) { $0 + $1.report.diagnostics.filter { $0.severity == .error }.count } }
    var warningCount: Int { files.reduce(0) { $0 + $1.report.diagnostics.filter { $0.severity == .warning }.count } }

    /// Warnings for host I/O calls that the connector's `allow:` does not grant (`nil` for a
    /// pipeline operator, which has no grants), each at the call's line.
    func grantWarnings(connector: String, allow: Value?, directory: String) -> [String] {
        let capabilities = allow.flatMap { try? LuaCapabilities($0, directory: directory) } ?? LuaCapabilities()
        var warnings: [String] = []
        for file in files {
            for call in file.report.hostIOCalls {
                let position = "\(file.path):\(call.line):\(call.column): warning:"
                guard allow != nil else {
                    warnings.append("\(position) \(call.function) in a pipeline operator ('\(connector)') is always refused: operators have no allow:, move the call into a Lua connector")
                    continue
                }
                let kind: LuaCapabilities.Kind = switch call.kind {
                case .net: .net
                case .read: .read
                case .write: .write
                }
                if capabilities.grantsAny(kind) { continue }
                let what = switch kind {
                case .net: "the addresses it reaches (host:port)"
                case .read: "the files or directories it reads"
                case .write: "the files or directories it writes"
                }
                warnings.append("\(position) \(call.function) needs a \(kind.rawValue) grant, and connector '\(connector)' has no allow.\(kind.rawValue): add \(what) to its allow.\(kind.rawValue)")
            }
        }
        return warnings
    }
}
