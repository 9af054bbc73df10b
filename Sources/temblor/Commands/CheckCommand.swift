import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import TemblorConnectors
import TemblorLua
import TemblorRuntime

/// `temblor check FLOW.yaml|PLUGIN`: validates a flow, or loads a Lua plugin, without running
/// anything, printing every problem with its file and line.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a flow file, or a Lua plugin, without running it.",
        discussion: "A path ending in .lua, or a directory (holding init.lua), is a plugin. Exit status: 0 when valid, 2 when not."
    )

    @Argument(help: "The flow file (YAML), or a Lua plugin (a .lua file or a directory with init.lua).")
    var flow: String

    func run() throws {
        if flow.hasSuffix(".lua") || Self.isDirectory(flow) {
            try checkPlugin()
            return
        }
        do {
            _ = try FlowLoader.load(flow)
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        }
        print("\(flow): ok")
    }

    /// Loads the plugin as a connector would (default limits, its own defaults as config) and
    /// says what it declares.
    private func checkPlugin() throws {
        let plugin: LuaPlugin
        do {
            plugin = try LuaPlugin(path: flow, instance: "check", libraryRoots: LuaLibrary.roots)
        } catch {
            // Every load error already names the plugin file (and the line, when there is one).
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        }
        let info = plugin.info
        print("\(flow): ok: plugin \(info.name), hooks \(info.hooks.joined(separator: ", "))")
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
