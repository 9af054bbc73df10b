// Invariants: `fd` is owned by the reader from `init` until `close()` sets it to -1; reads and
// the close happen under the mutex, so no call reads a descriptor another call closed. The read
// buffer is a Swift array pinned with withUnsafeMutableBytes for the read(2) call only.
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A file a plugin reads one line at a time (`temblor.fs.lines`): holds at most a line and one
/// read's worth of bytes, so a large file never sits in memory whole.
final class LuaLineReader: Sendable {
    private struct State {
        var fd: Int32
        var pending: [UInt8] = []
        /// Where the unread bytes of `pending` start.
        var start = 0
        /// Up to where `pending` was searched for an end of line.
        var scanned = 0
        var atEnd = false
    }

    /// The longest line, and the most bytes held at once: `limits.ioBuffer`.
    let limit: Int
    let limitDescription: String
    let path: String
    private let state: Mutex<State>

    init(fd: Int32, path: String, limit: Int, limitDescription: String) {
        self.state = Mutex(State(fd: fd))
        self.path = path
        self.limit = limit
        self.limitDescription = limitDescription
    }

    deinit {
        close()
    }

    /// The next line without its end of line (`\n`, or `\r\n`), nil at the end. Blocking.
    func next() throws(LuaIOFailure) -> [UInt8]? {
        let limit = limit
        let path = path
        let limitDescription = limitDescription
        return try state.withLock { (state: inout State) throws(LuaIOFailure) -> [UInt8]? in
            while true {
                guard state.fd >= 0 else { return nil }
                let from = max(state.start, state.scanned)
                if let end = state.pending[from...].firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(state.pending[state.start..<end])
                    state.start = end + 1
                    state.scanned = state.start
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    return line
                }
                state.scanned = state.pending.count
                if state.atEnd {
                    guard state.start < state.pending.count else { return nil }
                    defer { state.start = state.pending.count }
                    return Array(state.pending[state.start...])
                }
                if state.start > 0 {
                    state.pending.removeFirst(state.start)
                    state.scanned -= state.start
                    state.start = 0
                }
                if state.pending.count >= limit {
                    throw LuaIOFailure("a line of \(path) is longer than the I/O buffer holds (\(limitDescription))")
                }
                var chunk = [UInt8](repeating: 0, count: min(65_536, limit - state.pending.count))
                let fd = state.fd
                let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw LuaFileSystem.failure(errno, path)
                }
                if count == 0 {
                    state.atEnd = true
                } else {
                    state.pending.append(contentsOf: chunk[..<count])
                }
            }
        }
    }

    /// Closes the file; later `next()` calls give nil.
    func close() {
        state.withLock { state in
            if state.fd >= 0 { Glibc.close(state.fd) }
            state.fd = -1
            state.pending = []
            state.start = 0
            state.scanned = 0
        }
    }
}
