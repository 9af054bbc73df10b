#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX file descriptor with the reads and writes connectors need, retrying interrupted calls.
struct FileDescriptor: Sendable {
    let fd: Int32

    /// Why a file operation failed, with the operating system's words.
    struct Failure: Error, CustomStringConvertible {
        var operation: String
        var path: String
        var code: Int32
        var description: String { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(Failure) -> FileDescriptor {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Failure(operation: "open", path: path, code: errno) }
        return FileDescriptor(fd: fd)
    }

    /// Up to `count` bytes; an empty array at end of file.
    func read(upTo count: Int, path: String) throws(Failure) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) }
            if n >= 0 {
                buffer.removeLast(count - n)
                return buffer
            }
            if errno == EINTR { continue }
            throw Failure(operation: "read", path: path, code: errno)
        }
    }

    /// The whole rest of the file, read into one buffer sized from the file's length.
    func readAll(path: String) throws(Failure) -> [UInt8] {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(operation: "stat", path: path, code: errno) }
        var data = [UInt8](unsafeUninitializedCapacity: max(Int(info.st_size), 0) + 1) { buffer, count in count = 0 }
        data.reserveCapacity(Int(info.st_size) + 1)
        while true {
            let chunk = try read(upTo: 1 << 22, path: path)
            if chunk.isEmpty { return data }
            data.append(contentsOf: chunk)
        }
    }

    func writeAll(_ bytes: [UInt8], path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(operation: "write", path: path, code: errno)
            }
            offset += n
        }
    }

    func close() {
        _ = Glibc.close(fd)
    }
}
