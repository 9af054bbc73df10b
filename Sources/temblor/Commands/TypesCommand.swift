import ArgumentParser
import Foundation
import TemblorRuntime

/// `temblor types`: where the LuaLS annotations of the host API are, so that an editor (or a
/// `.luarc.json`) can point at the ones matching this Temblor.
struct TypesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "types",
        abstract: "Print the LuaLS annotations of the plugin API, or with --path the folder holding them.",
        discussion: "Point Lua.workspace.library (or a .luarc.json's workspace.library) at the folder `temblor types --path` prints."
    )

    @Flag(help: "Print the folder of the annotations rather than the annotations.")
    var path = false

    /// The `types/` folder beside Temblor's Lua modules.
    static var typesPath: String { (LuaLibrary.roots.first ?? "lua") + "/types" }

    func run() throws {
        if path {
            print(Self.typesPath)
            return
        }
        guard let text = FileManager.default.contents(atPath: Self.typesPath + "/temblor.lua") else {
            StandardError.write("temblor types: \(Self.typesPath)/temblor.lua is missing (set TEMBLOR_LUA_PATH to Temblor's lua/ folder)\n")
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(text)
    }
}
