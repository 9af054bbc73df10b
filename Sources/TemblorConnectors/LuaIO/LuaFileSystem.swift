// Invariants: every descriptor opened here is closed on every path out of the function that
// opened it (defer), except the one handed to a `LuaLineReader`, which owns it from then on.
// Buffers passed to read/write are Swift arrays pinned with withUnsafe(Mutable)Bytes for the
// call only; realpath writes into a PATH_MAX buffer; readdir's entries are read before the next
// readdir call. Blocking: call these off the event loops (NIOThreadPool.singleton).
#if canImport(Glibc)
import Glibc
#endif
import TemblorLua

/// The POSIX side of a plugin's file calls: resolving paths for the capability check, and
/// reading, writing and listing exactly the checked path (O_NOFOLLOW on its last component).
enum LuaFileSystem {
    /// A path as the capability check sees it: symbolic links resolved.
    struct Resolved: Sendable, Equatable {
        var path: String
        /// The directory that would hold it does not exist either (resolved lexically).
        var parentMissing: Bool
    }

    /// `path` with its symbolic links resolved; for a file that does not exist yet, the resolved
    /// parent plus the last component; for a missing parent, `path` taken lexically.
    static func resolve(_ path: String, depth: Int = 0) -> Resolved {
        if let real = realPath(path) { return Resolved(path: real, parentMissing: false) }
        let lexical = LuaCapabilities.absolute(path, in: "/")
        var parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let last = parts.popLast(), last != ".", last != ".." else {
            return Resolved(path: lexical, parentMissing: true)
        }
        let parent = (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
        guard let realParent = realPath(parent.isEmpty ? "." : parent) else { return Resolved(path: lexical, parentMissing: true) }
        let candidate = (realParent == "/" ? "" : realParent) + "/" + last
        // A link to a file that does not exist (yet): what counts is where it points.
        if depth < 40, let target = linkTarget(candidate) {
            return resolve(target.hasPrefix("/") ? target : realParent + "/" + target, depth: depth + 1)
        }
        return Resolved(path: candidate, parentMissing: false)
    }

    /// What the symbolic link `path` points to, or nil when `path` is not a link.
    private static func linkTarget(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return nil }
        var characters = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = characters.withUnsafeMutableBufferPointer { readlink(path, $0.baseAddress!, $0.count - 1) }
        guard count > 0 else { return nil }
        return String(decoding: characters[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// realpath(3), or nil when it fails.
    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// Whether `path` is `root` or inside it (both resolved and absolute).
    static func isInside(_ path: String, _ root: String) -> Bool {
        root == "/" || path == root || path.hasPrefix(root + "/")
    }

    /// The whole file, when it holds at most `limit` bytes.
    static func read(_ path: String, limit: Int, limitDescription: String) throws(LuaIOFailure) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR { throw LuaIOFailure("\(path) is a directory; use temblor.fs.list") }
            if Int(info.st_size) > limit {
                throw LuaIOFailure("\(path) is \(info.st_size) bytes, more than the I/O buffer holds (\(limitDescription)); read it with temblor.fs.lines")
            }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(65_536, limit + 1))
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno, path)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
            if bytes.count > limit {
                throw LuaIOFailure("\(path) holds more than the I/O buffer holds (\(limitDescription)); read it with temblor.fs.lines")
            }
        }
    }

    /// Writes `bytes` to `path` (created 0644; truncated unless `append`).
    static func write(_ path: String, _ bytes: [UInt8], append: Bool) throws(LuaIOFailure) -> Int {
        let fd = try open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC))
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno, path)
            }
            written += count
        }
        return written
    }

    /// The names in the directory `path`, without `.` and `..`, sorted.
    static func list(_ path: String) throws(LuaIOFailure) -> [String] {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        guard let directory = fdopendir(fd) else {
            let code = errno
            close(fd)
            throw failure(code, path)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Opens `path` for reading line by line.
    static func openLines(_ path: String) throws(LuaIOFailure) -> Int32 {
        let fd = try open(path, O_RDONLY)
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw LuaIOFailure("\(path) is a directory; use temblor.fs.list")
        }
        return fd
    }

    /// open(2) of the checked path, never following a symbolic link in its last component.
    private static func open(_ path: String, _ flags: Int32) throws(LuaIOFailure) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 { return fd }
            if errno == EINTR { continue }
            throw failure(errno, path)
        }
    }

    /// The script's words for a failed file call.
    static func failure(_ code: Int32, _ path: String) -> LuaIOFailure {
        switch code {
        case ENOENT: return LuaIOFailure("no such file: \(path)")
        case ENOTDIR: return LuaIOFailure("not a directory: \(path)")
        case EISDIR: return LuaIOFailure("\(path) is a directory")
        case ELOOP: return LuaIOFailure("\(path) is a symbolic link")
        case EACCES, EPERM: return LuaIOFailure("permission denied: \(path)")
        default: return LuaIOFailure("\(path): \(LuaIOFailure.errnoText(code))")
        }
    }
}
