import Foundation

/// A fresh directory under the system's temporary one, removed when the test is done.
final class WalTestDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "temblor-wal-\(UUID().uuidString)"
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The segment files, oldest first.
    var segments: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".seg") }.sorted()
    }

    func bytes(_ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path + "/" + name) ?? Data())
    }

    func write(_ name: String, _ bytes: [UInt8]) {
        _ = FileManager.default.createFile(atPath: path + "/" + name, contents: Data(bytes))
    }
}

/// A payload that tells its number and has a length of its own.
func payload(_ n: Int) -> [UInt8] {
    Array("record \(n) ".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: n), count: n % 37)
}
