import Foundation
import Testing
@testable import TemblorRuntime

/// What hot reload sees of a plugin: every module under its directory, vendored ones included.
@Suite struct LuaPluginFilesTests {
    @Test func aChangeToANestedModuleChangesTheHashAndIsWatched() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-files-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = ["init.lua": "return { api = 1 }", "vendor/csv/init.lua": "return 1", "fixtures/basic/x.lua": "return 2", ".git/hook.lua": "x"]
        for (path, text) in files {
            try FileManager.default.createDirectory(atPath: (root + "/" + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8)
        }
        let plugin = LuaPluginFiles(path: root)
        let before = plugin.contentHash()
        #expect(LuaPluginFiles.moduleDirectories(under: root) == [root, root + "/vendor", root + "/vendor/csv"])
        try "return 3".write(toFile: root + "/vendor/csv/init.lua", atomically: true, encoding: .utf8)
        #expect(plugin.contentHash() != before)
        let after = plugin.contentHash()
        // Fixtures and hidden folders are not the plugin's code.
        try "return 4".write(toFile: root + "/fixtures/basic/x.lua", atomically: true, encoding: .utf8)
        #expect(plugin.contentHash() == after)
        #expect(PluginReloader.touches([root + "/vendor/csv/init.lua"], root))
        #expect(!PluginReloader.touches([root + "-other/init.lua"], root))
    }
}
