#if canImport(Glibc)
import Glibc
#endif

/// The client side of the control socket: one request, the whole reply, with blocking POSIX
/// calls (the command does nothing else meanwhile).
enum ControlClient {
    /// Why no daemon answered on a control socket.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String

        init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        init(path: String, operation: String, errno code: Int32) {
            self.path = path
            switch code {
            case ENOENT: reason = "no such socket"
            case ECONNREFUSED: reason = "connection refused (a daemon that ended left its socket behind)"
            case ENOTSOCK: reason = "not a socket"
            case EAGAIN, EWOULDBLOCK: reason = "no reply within \(ControlClient.replySeconds) s"
            default: reason = "\(operation): \(String(cString: strerror(code)))"
            }
        }

        var description: String { "no temblor daemon answers on \(path): \(reason)" }
    }

    /// How long a reply may take: every plugin is reloaded before it is sent.
    static let replySeconds = 60

    /// Sends `request` and a newline, returns everything the daemon wrote until it closed.
    static func send(_ request: String, to path: String) throws(Failure) -> String {
        let fd = try connect(path)
        defer { close(fd) }
        var timeout = timeval(tv_sec: replySeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes = Array((request + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "send", errno: errno)
            }
            sent += n
        }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            reply.append(contentsOf: chunk[..<n])
        }
        return String(decoding: reply, as: UTF8.self)
    }

    /// Whether something accepts connections on `path` (a daemon still running there).
    static func answers(_ path: String) -> Bool {
        guard let fd = try? connect(path) else { return false }
        close(fd)
        return true
    }

    private static func connect(_ path: String) throws(Failure) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let utf8 = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard utf8.count < capacity else {
            throw Failure(path: path, reason: "the path is longer than a Unix socket allows (\(capacity - 1) bytes)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: utf8)
            raw[utf8.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(path: path, operation: "socket", errno: errno) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw Failure(path: path, operation: "connect", errno: code)
        }
        return fd
    }
}
