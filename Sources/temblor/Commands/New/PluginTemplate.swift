/// The files `temblor new` writes for a plugin: every one of them works as written, so that
/// `temblor test` passes and `temblor run flow.yaml` runs in the new directory at once.
struct PluginTemplate {
    let kind: PluginKind
    let name: String
    /// Where the LuaLS annotations of the host API are (`temblor types --path`).
    let typesPath: String

    /// The files, by path relative to the plugin's directory, in the order they are written.
    var files: [(path: String, content: String)] {
        var files = [
            ("init.lua", plugin),
            ("\(name)_test.lua", test),
            ("fixtures/basic/\(kind == .source ? "config.json" : "input.jsonl")", fixtureInput),
            ("fixtures/basic/expected.jsonl", fixtureExpected),
        ]
        // A fixture run cannot tell an operator from a connector by itself.
        if kind == .operator { files.append(("fixtures/basic/options.json", #"{"kind": "operator"}"# + "\n")) }
        return files + [("flow.yaml", flow), (".luarc.json", luarc)]
    }

    var luarc: String {
        """
        {
          "$schema": "https://raw.githubusercontent.com/LuaLS/vscode-lua/master/setting/schema.json",
          "runtime.version": "Lua 5.4",
          "runtime.builtin": { "io": "disable", "debug": "disable", "package": "disable" },
          "workspace.library": ["\(typesPath)"],
          "diagnostics.globals": ["temblor"]
        }

        """
    }
}
