// Invariants of this file: the plugin is read, run and checked by C code under lua_pcall;
// Swift only reads the checked table back, each field fetched raw under lua_pcall too (no Lua
// error can unwind a Swift frame, and no plugin code runs outside its limits).
#if canImport(Glibc)
import Glibc
#endif
import CLua
import TemblorValue

/// What a loaded plugin declares.
public struct LuaPluginInfo: Sendable, Equatable {
    /// The plugin's `name`, or its file name without `.lua`.
    public var name: String
    /// The hooks it defines, sorted.
    public var hooks: [String]
    /// Its `defaults`, which a flow's `config` is merged over.
    public var defaults: Value
    /// The output ports a pipeline operator may route events to besides `out` and `err`.
    public var ports: [String]

    public init(name: String, hooks: [String], defaults: Value, ports: [String] = []) {
        self.name = name
        self.hooks = hooks
        self.defaults = defaults
        self.ports = ports
    }
}

extension LuaState {
    /// The host API major version plugins declare with `api = 1`.
    public static let hostAPIVersion = 1

    /// Loads the plugin at `path` (a file, or a directory holding `init.lua`), letting it
    /// `require` modules from its own directory and then from `libraryRoots` (Temblor's `lua/`).
    /// With an `instructionLimit`, the plugin's top-level code may run at most that many
    /// instructions; with a `timeLimitMs`, for at most that many milliseconds.
    /// With `text`, that is the plugin file's content rather than what the file holds now.
    public func loadPlugin(
        at path: String, text: [UInt8]? = nil, libraryRoots: [String] = [], instructionLimit: Int = 0, timeLimitMs: Int = 0
    ) throws(LuaError) -> LuaPluginInfo {
        var isDirectory = false
        var file = path
        if Self.isDirectory(path) {
            isDirectory = true
            file = path.hasSuffix("/") ? path + "init.lua" : path + "/init.lua"
        }
        let directory = isDirectory ? path : (path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ".")
        try allowRequire(from: [directory] + libraryRoots)
        let top = lua_gettop(state)
        defer { lua_settop(state, top) }
        temblor_lua_push_cfunction(state, temblor_lua_load_plugin)
        lua_pushstring(state, file)
        lua_pushinteger(state, lua_Integer(Self.hostAPIVersion))
        if let text {
            // Making the string allocates: done inside a protected call.
            let status: Int32 = text.withUnsafeBytes { bytes in
                temblor_lua_push_cfunction(state, temblor_lua_push_text)
                lua_pushlightuserdata(state, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                lua_pushinteger(state, lua_Integer(bytes.count))
                return temblor_lua_pcall(state, 2, 1, 0)
            }
            guard status == LUA_OK else { throw .outOfMemory(during: "loading \(file)") }
        } else {
            lua_pushnil(state)
        }
        temblor_lua_set_instruction_limit(state, Int32(clamping: instructionLimit))
        let watch = timeLimitMs > 0 ? LuaWatchdog.shared.makeSlot(milliseconds: timeLimitMs) : nil
        watch?.begin(state)
        let status = temblor_lua_pcall(state, 3, 0, 0)
        watch?.end()
        temblor_lua_set_instruction_limit(state, 0)
        guard status == LUA_OK else { throw error(status: status, during: "loading \(file)") }

        var hooks: [String] = []
        for hook in LuaHook.allCases.map(\.description) + ["source"] {
            try pushPluginField(hook)
            if lua_type(state, -1) == LUA_TFUNCTION { hooks.append(hook) }
            temblor_lua_pop(state, 1)
        }
        try pushPluginField("name")
        let declared = lua_type(state, -1) == LUA_TSTRING ? try value(at: -1).stringValue : nil
        temblor_lua_pop(state, 1)
        try pushPluginField("defaults")
        let defaults = lua_type(state, -1) == LUA_TNIL ? Value.object(Object()) : try value(at: -1)
        temblor_lua_pop(state, 1)
        try pushPluginField("ports")
        let portsValue = lua_type(state, -1) == LUA_TNIL ? Value.array([]) : try value(at: -1)
        temblor_lua_pop(state, 1)
        guard case .array(let portValues) = portsValue, portValues.allSatisfy({ $0.stringValue != nil }) else {
            throw .runtime("\(file): 'ports' must be a list of port names such as { \"debug\" }")
        }
        let base = String(file.split(separator: "/").last ?? "plugin")
        let fallback = isDirectory ? String(path.split(separator: "/").last ?? "plugin") : String(base.dropLast(base.hasSuffix(".lua") ? 4 : 0))
        return LuaPluginInfo(
            name: declared ?? fallback, hooks: hooks.sorted(), defaults: defaults, ports: portValues.compactMap(\.stringValue))
    }

    /// Pushes the loaded plugin's field `key` (nil when absent), read without metamethods.
    private func pushPluginField(_ key: String) throws(LuaError) {
        let status: Int32 = key.withCString { pointer in
            temblor_lua_push_cfunction(state, temblor_lua_plugin_field)
            lua_pushlightuserdata(state, UnsafeMutableRawPointer(mutating: pointer))
            return temblor_lua_pcall(state, 1, 1, 0)
        }
        guard status == LUA_OK else {
            temblor_lua_pop(state, 1)
            throw .outOfMemory(during: "reading the plugin table")
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
