import Foundation
import Testing
import TemblorLua

/// `require` finds modules in the plugin's directory and Temblor's `lua/`, and nowhere else.
@Suite struct LuaRequireTests {
    func directory(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-lua-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return root.path
    }

    @Test func modulesLoadOnceFromTheRootsInOrder() throws {
        let plugin = try directory(["util.lua": "return { name = 'plugin util' }", "lib/init.lua": "return { name = 'lib' }"])
        let shared = try directory(["util.lua": "return { name = 'shared util' }", "extra.lua": "count = (count or 0) + 1 return { n = count }"])
        let lua = try LuaState()
        try lua.allowRequire(from: [plugin, shared])
        #expect(try lua.run("return require('util').name", name: "t") == "plugin util")
        #expect(try lua.run("return require('lib').name", name: "t") == "lib")
        #expect(try lua.run("require('extra') require('extra') return require('extra').n", name: "t") == "1")
        #expect(try lua.run("return require('util') == require('util')", name: "t") == "true")
    }

    @Test func namesThatCouldLeaveTheRootsAreRefused() throws {
        let plugin = try directory(["ok.lua": "return 1"])
        let lua = try LuaState()
        try lua.allowRequire(from: [plugin])
        for name in ["../etc/passwd", "/etc/passwd", "a..b", ".hidden", "x/y"] {
            #expect(throws: LuaError.runtime("t:1: require '\(name)': module names are dotted identifiers such as 'util' or 'lib.json'")) {
                try lua.run("local m = require('\(name)') return m", name: "t")
            }
        }
    }

    @Test func aSymlinkOutOfTheRootIsRefused() throws {
        let outside = try directory(["secret.lua": "return 'secret'"])
        let plugin = try directory(["ok.lua": "return 1"])
        try FileManager.default.createSymbolicLink(atPath: plugin + "/leak.lua", withDestinationPath: outside + "/secret.lua")
        let lua = try LuaState()
        try lua.allowRequire(from: [plugin])
        do {
            try lua.run("local m = require('leak') return m", name: "t")
            Issue.record("the symlink was followed")
        } catch {
            guard case .runtime(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("leads outside"), "\(message)")
        }
    }

    @Test func aMissingModuleSaysWhereItLooked() throws {
        let plugin = try directory(["ok.lua": "return 1"])
        let lua = try LuaState()
        try lua.allowRequire(from: [plugin])
        do {
            try lua.run("local m = require('nope') return m", name: "t")
            Issue.record("a missing module loaded")
        } catch {
            guard case .runtime(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("module 'nope' not found"), "\(message)")
            #expect(message.contains("/nope.lua"), "\(message)")
            #expect(message.contains("/nope/init.lua"), "\(message)")
        }
    }

    @Test func aModuleWithASyntaxErrorNamesItsFileAndLine() throws {
        let plugin = try directory(["bad.lua": "local x = \n= 1"])
        let lua = try LuaState()
        try lua.allowRequire(from: [plugin])
        do {
            try lua.run("local m = require('bad') return m", name: "t")
            Issue.record("a broken module loaded")
        } catch {
            guard case .runtime(let message) = error else { Issue.record("\(error)"); return }
            #expect(message.contains("bad.lua:2:"), "\(message)")
        }
    }
}
