#if canImport(Glibc)
import Glibc
#endif
import Logging
import NIOCore
import NIOPosix
import TemblorRuntime

/// The daemon's side of the control socket: a Unix domain socket, readable and writable by the
/// user only, answering `reload` while the flow runs; the socket file goes when the server ends.
final class ControlServer: Sendable {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Why the control socket could not be opened.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The longest request read; anything longer is not one the daemon knows.
    static let maximumRequest = 1024

    let path: String
    private let listener: NIOAsyncChannel<Connection, Never>
    /// The socket file's inode, so that only this server's file is removed at the end.
    private let inode: UInt64

    private init(path: String, listener: NIOAsyncChannel<Connection, Never>, inode: UInt64) {
        self.path = path
        self.listener = listener
        self.inode = inode
    }

    /// Listens on `path`, replacing a socket file left by a daemon that ended (nothing answers
    /// on it); a live daemon's socket or a file that is not a socket is left alone.
    static func bind(path: String) async throws(Failure) -> ControlServer {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw Failure(description: "control socket \(path): the file exists and is not a socket; not replacing it")
            }
            guard !ControlClient.answers(path) else {
                throw Failure(description: "control socket \(path): another temblor answers on it")
            }
            unlink(path)
        }
        let listener: NIOAsyncChannel<Connection, Never>
        do {
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
                }
        } catch {
            throw Failure(description: "control socket \(path): cannot listen: \(error)")
        }
        chmod(path, 0o600)
        guard lstat(path, &info) == 0 else {
            try? await listener.channel.close()
            throw Failure(description: "control socket \(path): the socket file vanished as it was created")
        }
        return ControlServer(path: path, listener: listener, inode: UInt64(info.st_ino))
    }

    /// Answers requests until cancelled, then closes the socket and removes its file.
    func serve(logger: Logger, reload: @escaping @Sendable () async -> [PluginReloadOutcome]) async {
        defer { removeSocketFile() }
        do {
            try await listener.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        group.addTask { await Self.answer(connection, logger: logger, reload: reload) }
                    }
                }
            }
        } catch is CancellationError {
        } catch {
            logger.error("control socket \(path) failed: \(error); `temblor reload` no longer reaches this run")
        }
    }

    /// Closes the socket and removes its file when `serve` never ran.
    func close() async {
        try? await listener.channel.close()
        removeSocketFile()
    }

    private func removeSocketFile() {
        var info = stat()
        if lstat(path, &info) == 0, UInt64(info.st_ino) == inode { unlink(path) }
    }

    /// Reads one request line, writes the whole reply, closes.
    private static func answer(
        _ connection: Connection, logger: Logger, reload: @Sendable () async -> [PluginReloadOutcome]
    ) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: [UInt8] = []
                for try await buffer in inbound {
                    request.append(contentsOf: buffer.readableBytesView)
                    if request.contains(UInt8(ascii: "\n")) || request.count > maximumRequest { break }
                }
                let line = ControlProtocol.oneLine(String(decoding: request.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
                let reply = line == ControlProtocol.reload ? ControlProtocol.reply(await reload()) : ControlProtocol.unknown(line)
                try await outbound.write(ByteBuffer(string: reply))
            }
        } catch is CancellationError {
        } catch {
            logger.warning("control socket: a request failed: \(error)")
        }
    }
}
