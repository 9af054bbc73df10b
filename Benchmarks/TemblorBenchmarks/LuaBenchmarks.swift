#if canImport(Glibc)
import Glibc
#endif
import TemblorLua

/// Lua measurements on a JSON-lines file, as the reference host's `lua` mode.
enum LuaBenchmarks {
    /// The reference host's default script: count the events whose level is "error".
    static let defaultScript = """
        local errors = 0
        function on_event(e) if e.level == 'error' then errors = errors + 1 end end
        function result() return errors end
        """

    struct ScriptError: Error, CustomStringConvertible {
        var description: String
    }

    /// Decodes every line straight into a Lua table and calls `on_event` with it; the result is
    /// what the script's `result()` returns.
    /// Prints the bytes an idle state holds: a bare state, and a loaded plugin with its ctx.
    static func idle() throws {
        let bare = try LuaState()
        let path = "/tmp/temblor-idle-\(getpid()).lua"
        let plugin = "return { api = 1, on_event = function(ctx, event) ctx:emit(event) end }\n"
        guard let file = fopen(path, "w") else { throw LuaError.runtime("cannot write \(path)") }
        fputs(plugin, file)
        fclose(file)
        defer { unlink(path) }
        let loaded = try LuaPlugin(path: path, instance: "idle")
        print("mode=lua-idle bare_state_bytes=\(bare.memoryInUse) plugin_state_bytes=\(loaded.memoryInUse)")
    }

    static func jsonLua(_ file: BenchmarkFile, script path: String?) throws -> BenchmarkResult {
        let lua = try LuaState(memoryLimit: 256 << 20)
        var source = defaultScript
        if let path {
            let text = try BenchmarkFile.load(path)
            source = String(decoding: text.bytes[..<text.count], as: UTF8.self)
        }
        try lua.run(source, name: path ?? "default script")
        var events = 0
        let start = monotonicSeconds()
        try file.forEachLine { line in
            // The file buffer ends with simdjson's padding, so every line is followed by readable bytes.
            try lua.call("on_event", withJSON: line, padded: true)
            events += 1
        }
        let seconds = monotonicSeconds() - start
        let result = try lua.run("return type(result) == 'function' and result() or 0", name: "result")
        guard let checksum = result.flatMap({ Int($0) }) else {
            throw ScriptError(description: "result() returned \(result ?? "nothing"), not an integer")
        }
        return BenchmarkResult(events: events, bytes: file.count, seconds: seconds, checksum: checksum)
    }
}
