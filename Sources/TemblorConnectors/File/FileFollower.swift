#if canImport(Glibc)
import Glibc
#endif
import TemblorRuntime
import TemblorValue

/// Follows a file like `tail -F`: reads to the end, then polls for appended bytes until the flow
/// stops. A replaced file (new inode) or a truncated one starts a new stream from its start; a
/// missing path is waited for.
struct FileFollower: Source {
    let path: String
    let chunkSize: Int
    let pollMs: Int

    func run(_ context: SourceContext) async throws {
        var current: Followed?
        defer { current?.file.close() }
        while !Task.isCancelled {
            if current == nil { current = try open(context) }
            var progressed = false
            if current != nil {
                progressed = try await current!.drain(path: path, chunkSize: chunkSize)
                switch try current!.change(path: path) {
                case .unchanged:
                    break
                case .truncated:
                    await current!.stream.end()
                    try current!.rewind(path: path)
                    current!.stream = try context.openStream(meta: ["path": .string(path)])
                    progressed = true
                case .replaced:
                    // The old file may have grown between the read and the check: finish it first.
                    _ = try await current!.drain(path: path, chunkSize: chunkSize)
                    await current!.stream.end()
                    current!.file.close()
                    current = nil
                    progressed = true
                }
            }
            if !progressed {
                do {
                    try await Task.sleep(for: .milliseconds(pollMs))
                } catch {
                    break
                }
            }
        }
        // Stopping reports what the preprocessors still hold, such as a last line without newline.
        if current != nil { await current!.stream.end() }
    }

    /// The file now at `path` with a new stream, or nil while the path does not exist.
    private func open(_ context: SourceContext) throws -> Followed? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw FileDescriptor.Failure(operation: "open", path: path, code: code)
        }
        let file = FileDescriptor(fd: fd)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            file.close()
            throw FileDescriptor.Failure(operation: "stat", path: path, code: code)
        }
        do {
            let stream = try context.openStream(meta: ["path": .string(path)])
            return Followed(file: file, identity: Identity(info), offset: 0, stream: stream)
        } catch {
            file.close()
            throw error
        }
    }
}

extension FileFollower {
    /// Which file a path names: device and inode, as `stat` reports them.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// The file being followed: its descriptor, which file it is, how far it was read, and its stream.
    struct Followed {
        /// What happened to the file since it was last read to its end.
        enum Change {
            case unchanged
            /// Shorter than what was read: rewritten in place, to be read again from its start.
            case truncated
            /// The path names another file now (rotation): this one is finished.
            case replaced
        }

        var file: FileDescriptor
        var identity: Identity
        var offset: Int
        var stream: SourceStream

        /// Reads what is there up to the end of the file; true when any bytes came.
        mutating func drain(path: String, chunkSize: Int) async throws(FileDescriptor.Failure) -> Bool {
            var progressed = false
            while !Task.isCancelled {
                let chunk = try file.read(upTo: chunkSize, path: path)
                if chunk.isEmpty { break }
                offset += chunk.count
                progressed = true
                await stream.receive(chunk[...])
            }
            return progressed
        }

        /// Compares the open file's size with the offset, then the path's file with this one; a
        /// missing path is no change (the next file is waited for while this one may still grow).
        func change(path: String) throws(FileDescriptor.Failure) -> Change {
            var own = stat()
            guard fstat(file.fd, &own) == 0 else { throw FileDescriptor.Failure(operation: "stat", path: path, code: errno) }
            if Int(own.st_size) < offset { return .truncated }
            var named = stat()
            guard stat(path, &named) == 0 else { return .unchanged }
            return Identity(named) == identity ? .unchanged : .replaced
        }

        /// Goes back to the start of the file after a truncation.
        mutating func rewind(path: String) throws(FileDescriptor.Failure) {
            guard lseek(file.fd, 0, SEEK_SET) == 0 else { throw FileDescriptor.Failure(operation: "seek", path: path, code: errno) }
            offset = 0
        }
    }
}
