import Foundation
import Testing
import TemblorLua
import TemblorValue

/// Loading a plugin checks what it declares, and every mistake names the file.
@Suite struct LuaPluginTests {
    func write(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-plugin-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root.path
    }

    func failure(_ path: String) throws -> String {
        let lua = try LuaState()
        do {
            _ = try lua.loadPlugin(at: path)
        } catch {
            return error.description
        }
        Issue.record("\(path) loaded")
        return ""
    }

    @Test func aFilePluginDeclaresItsNameHooksAndDefaults() throws {
        let dir = try write(["enrich.lua": """
            return {
              api = 1,
              name = "enrich",
              defaults = { field = "seen_by", n = 2 },
              on_event = function(ctx, event, meta) end,
              on_start = function(ctx) end,
            }
            """])
        let info = try LuaState().loadPlugin(at: dir + "/enrich.lua")
        #expect(info == LuaPluginInfo(name: "enrich", hooks: ["on_event", "on_start"], defaults: ["field": "seen_by", "n": 2]))
    }

    @Test func aDirectoryPluginStartsAtInitAndRequiresItsOwnModules() throws {
        let dir = try write([
            "counter/init.lua": "local util = require('util') return { api = 1, source = function(ctx) return util.x end }",
            "counter/util.lua": "return { x = 1 }",
        ])
        let info = try LuaState().loadPlugin(at: dir + "/counter")
        #expect(info == LuaPluginInfo(name: "counter", hooks: ["source"], defaults: [:]))
    }

    @Test func anIncompatibleAPIIsRefusedNamingBothVersions() throws {
        let dir = try write(["old.lua": "return { api = 2, on_event = function() end }"])
        let message = try failure(dir + "/old.lua")
        #expect(message.hasSuffix("/old.lua: written for host API 2, but this Temblor provides host API 1"), "\(message)")
    }

    @Test func mistakesInThePluginTableNameTheFile() throws {
        let dir = try write([
            "noapi.lua": "return { on_event = function() end }",
            "typo.lua": "return { api = 1, on_evnt = function() end }",
            "notfn.lua": "return { api = 1, on_event = 5 }",
            "notable.lua": "return 42",
            "syntax.lua": "return {\n  api = 1,\n  on_event = function( end\n}",
        ])
        #expect(try failure(dir + "/noapi.lua").contains("noapi.lua: the plugin does not say which host API it was written for; add api = 1"))
        #expect(try failure(dir + "/typo.lua").contains("typo.lua: unknown key 'on_evnt' in the plugin table"))
        #expect(try failure(dir + "/notfn.lua").contains("notfn.lua: 'on_event' must be a function, not number"))
        #expect(try failure(dir + "/notable.lua").contains("notable.lua: a plugin must return a table of hooks, not number"))
        let syntax = try failure(dir + "/syntax.lua")
        #expect(syntax.contains("syntax.lua:3:"), "\(syntax)")
        #expect(try failure(dir + "/absent.lua").contains("absent.lua: cannot read the plugin: No such file or directory"))
    }
}
