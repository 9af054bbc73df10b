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

/// Libraries vendored beside a plugin, and the C modules a plugin cannot load.
@Suite struct LuaVendoredModuleTests {
    @Test func aVendoredPureLuaLibraryLoadsByItsDottedPath() throws {
        let plugin = try LuaRequireTests().directory([
            "vendor/inspect/init.lua": "local util = require('vendor.inspect.util') return { show = function(v) return util.quote(v) end }",
            "vendor/inspect/util.lua": "return { quote = function(v) return '<' .. tostring(v) .. '>' end }",
        ])
        let lua = try LuaState()
        try lua.allowRequire(from: [plugin])
        #expect(try lua.run("return require('vendor.inspect').show(42)", name: "t") == "<42>")
    }

    @Test func aCModuleIsRefusedWithTheReason() throws {
        let plugin = try LuaRequireTests().directory(["cjson.so": "\u{7f}ELF not really", "lib/fast/init.so": "x"])
        let lua = try LuaState()
        try lua.allowRequire(from: [plugin])
        for (name, file) in [("cjson", "cjson.so"), ("lib.fast", "lib/fast/init.so")] {
            do {
                try lua.run("return require('\(name)')", name: "t")
                Issue.record("\(name) loaded")
            } catch {
                guard case .runtime(let message) = error else { Issue.record("\(error)"); continue }
                #expect(message.contains("require '\(name)': \(plugin)/\(file) is a C module, and plugins cannot load C modules"), "\(message)")
                #expect(message.contains("use a pure-Lua library instead"))
            }
        }
    }
}
