import NIOCore
import Synchronization

/// One connection to a server, usable from any thread. What is sent is appended to a buffer
/// under a lock and written by the event loop once per turn, so that a burst of publishes
/// becomes a few large writes rather than a syscall each; large payloads are written as their
/// own buffers, uncopied.
final class NATSConnection: Sendable {
    /// Tells this connection from the ones before and after it.
    let id: UInt64
    let server: NATSServerAddress
    let channel: any Channel
    let handler: NIOLoopBound<NATSConnectionHandler>
    /// Completed by the handler once CONNECT was answered with PONG.
    let handshake: EventLoopFuture<NATSServerInfo>

    var eventLoop: any EventLoop { channel.eventLoop }

    /// Above this much buffered, publishers wait for the event loop to write it.
    static let highWater = 1 << 20
    /// Payloads this large are written as their own buffer instead of being copied.
    static let separateWrite = 16 * 1024
    /// What a fresh outbound buffer starts with, so that a burst does not grow it step by step.
    static let initialCapacity = 8 * 1024

    private struct Outbound {
        var chunks: [ByteBuffer] = []
        var open = ByteBuffer()
        var pendingBytes = 0
        var drainScheduled = false
        var closed = false
        var writable = true
        var waiters: [NATSPromise<Void>] = []
    }

    private let outbound = Mutex(Outbound())
    private let info: Mutex<NATSServerInfo?> = Mutex(nil)
    private let maxPayload = Atomic<Int>(1_048_576)
    private let headersSupported = Atomic<Bool>(true)

    init(id: UInt64, server: NATSServerAddress, channel: any Channel, handler: NIOLoopBound<NATSConnectionHandler>, handshake: EventLoopFuture<NATSServerInfo>) {
        self.id = id
        self.server = server
        self.channel = channel
        self.handler = handler
        self.handshake = handshake
    }

    /// The latest INFO the server sent on this connection.
    var serverInfo: NATSServerInfo? { info.withLock { $0 } }

    /// Takes note of an INFO: its limits apply to what is sent from now on.
    func update(_ newInfo: NATSServerInfo) {
        info.withLock { $0 = newInfo }
        maxPayload.store(newInfo.maxPayload, ordering: .relaxed)
        headersSupported.store(newInfo.headers, ordering: .relaxed)
    }

    /// Whether the channel closed (the handler says so before the client hears of it).
    var isClosed: Bool { outbound.withLock { $0.closed } }

    /// Queues a PUB/HPUB; waits only while too much is buffered or the socket is full.
    func publish(subject: String, reply: String?, headers: NATSHeaders?, payload: ByteBuffer) async throws(NATSError) {
        if headers != nil, !headersSupported.load(ordering: .relaxed) {
            throw .protocolViolation("nats server \(server) does not support headers (nats-server 2.2 and newer do)")
        }
        let headerLength = headers?.encodedLength ?? 0
        let limit = maxPayload.load(ordering: .relaxed)
        let size = payload.readableBytes + headerLength
        if size > limit { throw .payloadTooLarge(size: size, limit: limit) }
        let (schedule, wait): (Bool, Bool) = try outbound.withLock { (outbound) throws(NATSError) in
            guard !outbound.closed else { throw .notConnected }
            if outbound.open.capacity == 0 { outbound.open.reserveCapacity(Self.initialCapacity) }
            if payload.readableBytes >= Self.separateWrite {
                outbound.open.writeNATSMessageHead(subject: subject, reply: reply, headers: headers, payloadLength: payload.readableBytes)
                outbound.chunks.append(outbound.open)
                outbound.chunks.append(payload)
                outbound.open = ByteBuffer()
                outbound.open.writeCRLF()
            } else {
                outbound.open.writeNATSMessage(subject: subject, reply: reply, headers: headers, payload: payload)
            }
            outbound.pendingBytes += size + subject.utf8.count + 32
            return Self.scheduleDrain(&outbound)
        }
        if schedule { eventLoop.execute { self.drain() } }
        if wait { try await waitUntilWritable() }
    }

    /// Queues a protocol line (SUB, UNSUB) written by `write`.
    func send(_ write: (inout ByteBuffer) -> Void) throws(NATSError) {
        let schedule: Bool = try outbound.withLock { (outbound) throws(NATSError) in
            guard !outbound.closed else { throw .notConnected }
            let before = outbound.open.readableBytes
            write(&outbound.open)
            outbound.pendingBytes += outbound.open.readableBytes - before
            return Self.scheduleDrain(&outbound).schedule
        }
        if schedule { eventLoop.execute { self.drain() } }
    }

    private static func scheduleDrain(_ outbound: inout Outbound) -> (schedule: Bool, wait: Bool) {
        let schedule = !outbound.drainScheduled
        outbound.drainScheduled = true
        return (schedule, outbound.pendingBytes > highWater || !outbound.writable)
    }

    /// Writes everything queued in one flush. On the event loop.
    func drain() {
        let chunks: [ByteBuffer] = outbound.withLock { outbound in
            outbound.drainScheduled = false
            var chunks = outbound.chunks
            if outbound.open.readableBytes > 0 {
                chunks.append(outbound.open)
                outbound.open = ByteBuffer()
            }
            outbound.chunks = []
            outbound.pendingBytes = 0
            return chunks
        }
        guard !chunks.isEmpty else { return }
        for chunk in chunks { channel.write(chunk, promise: nil) }
        channel.flush()
        wakeWaiters()
    }

    /// The socket drained (or filled up). On the event loop.
    func writabilityChanged(_ writable: Bool) {
        outbound.withLock { $0.writable = writable }
        if writable { wakeWaiters() }
    }

    private func wakeWaiters() {
        let waiters: [NATSPromise<Void>] = outbound.withLock { outbound in
            guard outbound.writable, outbound.pendingBytes <= Self.highWater, !outbound.waiters.isEmpty else { return [] }
            defer { outbound.waiters = [] }
            return outbound.waiters
        }
        for waiter in waiters { waiter.complete(.success(())) }
    }

    private func waitUntilWritable() async throws(NATSError) {
        let promise = NATSPromise<Void>()
        let ready: Result<Void, NATSError>? = outbound.withLock { outbound in
            if outbound.closed { return .failure(.notConnected) }
            if outbound.writable, outbound.pendingBytes <= Self.highWater { return .success(()) }
            outbound.waiters.append(promise)
            return nil
        }
        if let ready { return try ready.get() }
        try await promise.value(cancelled: .timeout("a publish was cancelled while waiting for the connection to \(server) to drain")).get()
    }

    /// The channel closed: nothing more is sent, waiting publishers fail. On the event loop.
    func markClosed() {
        let waiters: [NATSPromise<Void>] = outbound.withLock { outbound in
            outbound.closed = true
            outbound.chunks = []
            outbound.open = ByteBuffer()
            outbound.pendingBytes = 0
            defer { outbound.waiters = [] }
            return outbound.waiters
        }
        for waiter in waiters { waiter.complete(.failure(.notConnected)) }
    }

    /// Sends PING after everything queued and waits for its PONG: the server then has seen all
    /// of it.
    func ping(timeout: Duration) async throws(NATSError) {
        let promise = NATSPromise<Void>()
        let server = server
        eventLoop.execute {
            self.drain()
            self.handler.value.sendPing(promise)
        }
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.complete(.failure(.timeout("nats server \(server) did not answer a PING within \(timeout)")))
        }
        defer { timer.cancel() }
        try await promise.value(cancelled: .timeout("a flush to \(server) was cancelled")).get()
    }

    /// Gives up on a handshake that takes too long. On the event loop.
    func abandonHandshake(after timeout: Duration) {
        handler.value.abandonHandshake(.timeout("nats server \(server) did not complete the handshake within \(timeout)"))
    }

    /// Closes the channel and waits until it is closed.
    func close() async {
        try? await channel.close()
    }
}
