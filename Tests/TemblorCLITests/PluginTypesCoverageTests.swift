import Foundation
import Testing

/// The editor's view of the API is complete: every name the plugin guide and the testing guide
/// document has a LuaLS annotation in `lua/types/`, and the shipped Lua passes luacheck.
@Suite struct PluginTypesCoverageTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func names(_ pattern: String, in text: String) -> Set<String> {
        let expression = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(expression.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        })
    }

    @Test func everyNameOfThePluginGuideIsAnnotated() throws {
        let guide = try Self.read("docs/plugins.md")
        let types = try Self.read("lua/types/temblor.lua")
        var missing: [String] = []
        for method in Self.names(#"ctx:([a-z_]+)\("#, in: guide) where !types.contains("function Context:\(method)(") {
            missing.append("ctx:\(method)")
        }
        for field in Self.names(#"ctx\.([a-z_]+)(?![a-z_(])"#, in: guide) where !types.contains("---@field \(field) ") {
            missing.append("ctx.\(field)")
        }
        for name in Self.names(#"`temblor\.([a-z_]+(?:\.[a-z_]+)?)"#, in: guide) {
            let annotated = types.contains("function temblor.\(name)(") || types.contains("temblor.\(name) = ")
                || types.contains("---@field \(name) ") || types.contains("---@class temblor.\(name)")
            if !annotated { missing.append("temblor.\(name)") }
        }
        for method in Self.names(#"sock:([a-z_]+)\("#, in: guide)
        where !types.contains("function TcpSocket:\(method)(") && !types.contains("function UdpSocket:\(method)(") {
            missing.append("sock:\(method)")
        }
        for alias in ["send_to", "receive_from"] where !types.contains("function UdpSocket:\(alias)(") {
            missing.append("sock:\(alias)")
        }
        for hook in Self.names(#"\| `(on_[a-z_]+|connect|source|api|name|defaults|ports)`"#, in: guide)
        where !types.contains("---@field \(hook) ") && !types.contains("---@field \(hook)? ") {
            missing.append("plugin.\(hook)")
        }
        #expect(missing.isEmpty, "documented in docs/plugins.md but not annotated in lua/types/temblor.lua: \(missing.sorted())")
    }

    @Test func everyNameOfTheTestingGuideIsAnnotated() throws {
        let guide = try Self.read("docs/plugin-testing.md")
        let types = try Self.read("lua/types/temblor/test.lua")
        let methods = Self.names(#"p:([a-z_]+)\("#, in: guide)
        let functions = Self.names(#"t\.([a-z_]+)\("#, in: guide)
        #expect(methods.count > 15 && functions.count > 5)
        let missing = methods.filter { !types.contains("function Plugin:\($0)(") }.map { "p:\($0)" }
            + functions.filter { !types.contains("function t.\($0)(") }.map { "t.\($0)" }
        #expect(missing.isEmpty, "documented in docs/plugin-testing.md but not annotated in lua/types/temblor/test.lua: \(missing.sorted())")
    }

    @Test func theShippedLuaPassesLuacheck() throws {
        guard let luacheck = ["/usr/bin/luacheck", "/usr/local/bin/luacheck"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("luacheck is not installed: scripts/bootstrap.sh installs it (Debian package lua-check)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: luacheck)
        process.arguments = ["--no-color", "--codes", "examples", "lua"]
        process.currentDirectoryURL = Self.root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "luacheck (with the repository's .luacheckrc) found problems:\n\(text)")
        #expect(text.contains("0 warnings / 0 errors"), "\(text)")
    }
}
