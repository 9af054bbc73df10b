import Foundation

/// The `.lua` files of the repository (`examples/` and `lua/`), found from this file's real
/// path, so that the tests also run from a package that links the test folder in.
enum RepositoryLuaFiles {
    /// The directory holding `Package.swift` and `examples/`, above this source file.
    static let root: URL? = {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let manager = FileManager.default
            if manager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
                manager.fileExists(atPath: directory.appendingPathComponent("examples").path)
            {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    /// Every `.lua` file under `examples/` and `lua/`, by path relative to the root, sorted.
    static let all: [(path: String, text: String)] = {
        guard let root else { return [] }
        var files: [(String, String)] = []
        for folder in ["examples", "lua"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "lua" {
                guard let data = FileManager.default.contents(atPath: url.path) else { continue }
                let relative = String(url.resolvingSymlinksInPath().path.dropFirst(root.path.count + 1))
                files.append((relative, String(decoding: data, as: UTF8.self)))
            }
        }
        return files.sorted { $0.0 < $1.0 }
    }()
}
