import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import TemblorConnectors
import TemblorLua
import TemblorRuntime
import TemblorValue

/// `temblor check FLOW.yaml|PLUGIN`: validates a flow, or loads a Lua plugin, without running
/// anything, printing every problem with its file and line; and lints the Lua plugins.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a flow file, or a Lua plugin, without running it.",
        discussion: """
            A path ending in .lua, or a directory (holding init.lua), is a plugin. Plugins are also linted: unknown keys of \
            the plugin table, assignments to globals, an api newer than this Temblor's, and, in a flow, host I/O calls that \
            the connector's allow: does not grant. Errors and warnings read FILE:LINE:COLUMN. Exit status: 0 when valid \
            (warnings included), 2 when not.
            """
    )

    @Argument(help: "The flow file (YAML), or a Lua plugin (a .lua file or a directory with init.lua).")
    var flow: String

    func run() throws {
        if flow.hasSuffix(".lua") || Self.isDirectory(flow) {
            try checkPlugin()
            return
        }
        let definition: FlowDefinition
        do {
            definition = try FlowLoader.load(flow)
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        }
        let directory = FlowLoader.directory(of: flow)
        var errors = 0
        var warnings = 0
        for (name, plugin, allow) in Self.plugins(of: definition, directory: directory) {
            let lint = PluginLint(plugin: plugin)
            let grants = lint.grantWarnings(connector: name, allow: allow, directory: LuaLibrary.absolute(directory))
            for line in lint.diagnostics + grants { StandardError.write(line + "\n") }
            errors += lint.errorCount
            warnings += lint.warningCount + grants.count
        }
        guard errors == 0 else { throw ExitCode(2) }
        print("\(flow): ok\(Self.warnings(warnings))")
    }

    /// Lints the plugin, then loads it as a connector would (default limits, its own defaults
    /// as config) and says what it declares.
    private func checkPlugin() throws {
        let lint = PluginLint(plugin: flow)
        for line in lint.diagnostics { StandardError.write(line + "\n") }
        guard lint.errorCount == 0 else { throw ExitCode(2) }
        let plugin: LuaPlugin
        do {
            plugin = try LuaPlugin(path: flow, instance: "check", libraryRoots: LuaLibrary.roots)
        } catch {
            // Every load error already names the plugin file (and the line, when there is one).
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        }
        let info = plugin.info
        print("\(flow): ok: plugin \(info.name), hooks \(info.hooks.joined(separator: ", "))\(Self.warnings(lint.warningCount))")
    }

    /// The Lua plugins of a flow: each connector's (with its grants) and each operator's
    /// (with none: `nil`).
    private static func plugins(of flow: FlowDefinition, directory: String) -> [(String, String, Value?)] {
        var found: [(String, String, Value?)] = []
        for connector in flow.connectors where connector.type == "lua" {
            if let plugin = connector.plugin { found.append((connector.name, LuaLibrary.resolve(plugin, in: directory), connector.allow)) }
        }
        for pipeline in flow.pipelines {
            for step in pipeline.operators where step.name == "lua" {
                if let script = step.config["script"]?.stringValue {
                    found.append(("\(pipeline.name)/lua", LuaLibrary.resolve(script, in: directory), nil))
                }
            }
        }
        return found
    }

    private static func warnings(_ count: Int) -> String {
        count == 0 ? "" : " (\(count) warning\(count == 1 ? "" : "s"))"
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
