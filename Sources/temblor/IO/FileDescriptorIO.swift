#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from the operating system while reading or writing a file descriptor.
struct IOError: Error, CustomStringConvertible {
    var operation: String
    var errno: Int32

    var description: String { "\(operation) failed: \(String(cString: strerror(errno)))" }
}

/// Reads a file descriptor in large chunks, retrying interrupted reads.
struct FileDescriptorReader {
    var fd: Int32
    var chunkSize = 1 << 16

    /// The next chunk, or `nil` at end of input.
    func read() throws -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                chunk.removeLast(chunk.count - n)
                return chunk
            }
            if n == 0 { return nil }
            if errno == EINTR { continue }
            throw IOError(operation: "read", errno: errno)
        }
    }
}

/// Buffers writes to a file descriptor and writes them out in large blocks.
struct FileDescriptorWriter {
    var fd: Int32
    private var buffer: [UInt8] = []
    private let limit = 1 << 16

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(limit)
    }

    mutating func write(_ bytes: ArraySlice<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= limit { try flush() }
    }

    mutating func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IOError(operation: "write", errno: errno)
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Writes diagnostics to stderr unbuffered.
enum StandardError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in _ = Glibc.write(2, utf8.baseAddress, utf8.count) }
    }
}
