#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization
import NIOCore
import NIOPosix
import TemblorRuntime

/// The daemon's side of the control socket: a Unix domain socket, readable and writable by the
/// user only, answering `reload` while the flow runs; the socket file goes when the server ends.
final class ControlServer: Sendable {
    /// Why the control socket could not be opened.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Answers one request line: what `serve` installs.
    typealias Responder = @Sendable (String) async -> String

    /// The longest request read; anything longer is not one the daemon knows.
    static let maximumRequest = 1024

    let path: String
    private let listener: any Channel
    /// The socket file's inode, so that only this server's file is removed at the end.
    private let inode: UInt64
    /// Set by `serve`; a request that comes before is told the daemon is not ready.
    private let responder: ResponderBox

    private init(path: String, listener: any Channel, inode: UInt64, responder: ResponderBox) {
        self.path = path
        self.listener = listener
        self.inode = inode
        self.responder = responder
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
        let responder = ResponderBox()
        let listener: any Channel
        do {
            // Plain handlers, not async channels: a connection still queued when the server
            // closes is simply closed with it.
            listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ControlConnectionHandler(responder: responder))
                    }
                }
                .bind(unixDomainSocketPath: path)
                .get()
        } catch {
            throw Failure(description: "control socket \(path): cannot listen: \(error)")
        }
        chmod(path, 0o600)
        guard lstat(path, &info) == 0 else {
            try? await listener.close()
            throw Failure(description: "control socket \(path): the socket file vanished as it was created")
        }
        return ControlServer(path: path, listener: listener, inode: UInt64(info.st_ino), responder: responder)
    }

    /// Answers requests until cancelled, then closes the socket and removes its file.
    func serve(logger: Logger, reload: @escaping @Sendable () async -> [PluginReloadOutcome]) async {
        responder.set { line in
            line == ControlProtocol.reload ? ControlProtocol.reply(await reload()) : ControlProtocol.unknown(line)
        }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
        await close()
    }

    /// Closes the socket and removes its file.
    func close() async {
        try? await listener.close()
        removeSocketFile()
    }

    private func removeSocketFile() {
        var info = stat()
        if lstat(path, &info) == 0, UInt64(info.st_ino) == inode { unlink(path) }
    }
}

/// Where connections find the responder `serve` installs.
final class ResponderBox: Sendable {
    private let responder = Mutex<ControlServer.Responder?>(nil)

    func set(_ value: @escaping ControlServer.Responder) { responder.withLock { $0 = value } }

    /// The reply to `line`.
    func reply(to line: String) async -> String {
        guard let respond = responder.withLock({ $0 }) else { return "error the daemon is still starting; try again\n" }
        return await respond(line)
    }
}

/// One control connection: reads a request line, writes the whole reply, closes. A peer that
/// closes without a request (another daemon checking whether this one answers) gets nothing.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: ResponderBox
    private var request: [UInt8] = []
    private var answered = false

    init(responder: ResponderBox) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        request.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        guard request.contains(UInt8(ascii: "\n")) || request.count > ControlServer.maximumRequest else { return }
        answered = true
        let line = ControlProtocol.oneLine(String(decoding: request.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
        let channel = context.channel
        let responder = self.responder
        Task {
            let reply = await responder.reply(to: line)
            // A peer that left meanwhile makes the write fail: there is no one to tell.
            channel.writeAndFlush(ByteBuffer(string: reply)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        request = []
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
