import Foundation

/// The files a Lua plugin is made of, as hot reload sees them: the plugin's directory (its own,
/// or the one holding its file) and a content hash over every `.lua` file in it, so that editing
/// a module the plugin requires reloads it too, and saving unchanged content does not.
struct LuaPluginFiles: Sendable {
    /// The plugin file, or the directory holding `init.lua`.
    let path: String
    let directory: String

    init(path: String) {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            directory = path
        } else {
            directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        }
    }

    /// The plugin file's content now (`init.lua` for a directory), `nil` when it cannot be read
    /// (loading then reports why).
    func mainText() -> [UInt8]? {
        let file = directory == path ? path + "/init.lua" : path
        return FileManager.default.contents(atPath: file).map { [UInt8]($0) }
    }

    /// The directories a plugin's modules may live in: `directory` and the folders under it
    /// (vendored libraries, `lib/`), hidden ones and `fixtures` aside, at most `maxDepth` deep
    /// and `maxDirectories` in all, so that a plugin beside a large tree stays cheap to watch.
    static func moduleDirectories(under directory: String) -> [String] {
        var found = [directory]
        var next = 0
        var depth = [0]
        while next < found.count, found.count < maxDirectories {
            let current = found[next]
            let level = depth[next]
            next += 1
            guard level < maxDepth else { continue }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: current)) ?? []).sorted()
            for name in names where !name.hasPrefix(".") && name != "fixtures" && found.count < maxDirectories {
                var isDirectory: ObjCBool = false
                let path = current + "/" + name
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    found.append(path)
                    depth.append(level + 1)
                }
            }
        }
        return found
    }

    static let maxDepth = 3
    static let maxDirectories = 64

    /// FNV-1a (64 bits) over the names and contents of the `.lua` files of the module
    /// directories, in name order, as 12 hexadecimal digits; "missing" when nothing can be read.
    func contentHash() -> String {
        var names: [String] = []
        for folder in Self.moduleDirectories(under: directory) {
            let prefix = folder == directory ? "" : String(folder.dropFirst(directory.count + 1)) + "/"
            names += ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".lua") }.map { prefix + $0 }
        }
        names.sort()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var read = false
        for name in names {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            read = true
            for byte in Array(name.utf8) + [0] + Array(data) + [0] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        guard read else { return "missing" }
        let hex = String(hash, radix: 16)
        return String((String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(12))
    }
}
