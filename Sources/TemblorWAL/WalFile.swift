#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The system calls of the wal, and the only place it touches raw pointers outside the format's
// byte readers. Invariants: a `WalFile` owns its descriptor, which never changes and is closed
// exactly once, by deinit, when the last reference goes; reads and writes use positioned calls
// (pread/pwrite), so one descriptor may be read from several threads while one writer appends.

/// An open file of a wal directory.
final class WalFile: Sendable {
    let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit {
        _ = Glibc.close(fd)
    }

    /// Opens `path` for reading and writing, creating it when asked.
    static func open(_ path: String, create: Bool = false, readOnly: Bool = false) throws(WalError) -> WalFile {
        var flags = readOnly ? O_RDONLY : O_RDWR
        if create { flags |= O_CREAT }
        flags |= O_CLOEXEC
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
        return WalFile(path: path, fd: fd)
    }

    var descriptor: Int32 { fd }

    func size() throws(WalError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, operation: "stat", errno: errno) }
        return Int(info.st_size)
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(at offset: Int, count: Int) throws(WalError) -> [UInt8] {
        guard count > 0 else { return [] }
        var error: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    error = errno
                    break
                }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if error != 0 { throw .io(path: path, operation: "read", errno: error) }
        return bytes
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(WalError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }

    func write(_ bytes: [UInt8], at offset: Int) throws(WalError) {
        var failure: WalError?
        bytes.withUnsafeBytes { raw in
            do throws(WalError) { try write(raw, at: offset) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    func truncate(to size: Int) throws(WalError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .io(path: path, operation: "truncate", errno: errno) }
    }

    /// Makes what was written durable (the data, and the size when it grew).
    func sync() throws(WalError) {
        guard fdatasync(fd) == 0 else { throw .io(path: path, operation: "fsync", errno: errno) }
    }

    /// Makes the creation, renaming and removal of files in `directory` durable.
    static func syncDirectory(_ directory: String) throws(WalError) {
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: directory, operation: "open", errno: errno) }
        defer { _ = Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: directory, operation: "fsync", errno: errno) }
    }

    /// The names in `directory`.
    static func list(_ directory: String) throws(WalError) -> [String] {
        guard let dir = opendir(directory) else { throw .io(path: directory, operation: "list", errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `directory` and its parents when missing.
    static func makeDirectory(_ directory: String) throws(WalError) {
        let components = directory.split(separator: "/")
        var path = directory.hasPrefix("/") ? "" : "."
        for component in components {
            path += "/" + component
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw .io(path: path, operation: "create directory", errno: errno)
            }
        }
        var info = stat()
        guard stat(directory, &info) == 0 else { throw .io(path: directory, operation: "open", errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .io(path: directory, operation: "open", errno: ENOTDIR) }
    }

    static func remove(_ path: String) throws(WalError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(path: path, operation: "remove", errno: errno) }
    }

    /// Replaces `path` with `bytes` in one step (a temporary file renamed over it).
    static func replace(_ path: String, with bytes: [UInt8]) throws(WalError) {
        let temporary = path + ".tmp"
        do {
            let file = try open(temporary, create: true)
            try file.truncate(to: 0)
            try file.write(bytes, at: 0)
        }
        guard rename(temporary, path) == 0 else { throw .io(path: path, operation: "rename", errno: errno) }
    }

    /// The whole file at `path`, or `nil` when there is none.
    static func contents(_ path: String) throws(WalError) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw .io(path: path, operation: "open", errno: errno)
        }
        let file = WalFile(path: path, fd: fd)
        return try file.read(at: 0, count: try file.size())
    }
}
