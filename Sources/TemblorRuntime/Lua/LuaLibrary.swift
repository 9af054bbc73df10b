#if canImport(Glibc)
import Glibc
#endif

/// Where Temblor's own Lua modules (`lua/`) are, and how plugin paths resolve.
public enum LuaLibrary {
    /// `TEMBLOR_LUA_PATH` when set, else the `lua/` folder of the source tree this was built from.
    public static let roots: [String] = {
        if let path = getenv("TEMBLOR_LUA_PATH") { return [String(cString: path)] }
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        // .../Sources/TemblorRuntime/Lua/LuaLibrary.swift -> .../lua
        parts.removeLast(4)
        return [(parts + ["lua"]).joined(separator: "/")]
    }()

    /// `directory` made absolute from the working directory, for grants that must not change
    /// meaning if the daemon changes directory.
    public static func absolute(_ directory: String) -> String {
        if directory.hasPrefix("/") { return directory }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" + directory }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return directory.isEmpty || directory == "." ? cwd : cwd + "/" + directory
    }

    /// `path` as written in a flow, relative to the flow file's `directory` unless absolute.
    public static func resolve(_ path: String, in directory: String) -> String {
        path.hasPrefix("/") || directory.isEmpty ? path : directory + "/" + path
    }
}
