import DequeModule
import Logging
import NIOCore
import Synchronization

/// The messages of one `SUB`, as an async sequence. Iteration ends when the subscription is
/// unsubscribed or the client closed. Messages wait in a buffer of at most `capacity` (65,536
/// by default); beyond it new ones are dropped and counted in `dropped` (core NATS delivers at
/// most once anyway), with one warning logged. Several tasks may iterate at once; each message
/// goes to one of them. The subscription survives reconnects: the client subscribes it again,
/// with the same sid, on every new connection.
public final class NATSSubscription: AsyncSequence, Sendable {
    /// Each element is one delivered message.
    public typealias Element = NATSMessage
    /// Iteration never throws: it ends instead.
    public typealias Failure = Never

    /// The subject (possibly with wildcards) subscribed to.
    public let subject: String
    /// The queue group, whose members share the messages, or nil to get them all.
    public let queue: String?
    /// The subscription id on the wire; the same across reconnects.
    public let sid: Int
    /// How many undelivered messages the buffer holds before dropping new ones.
    public let capacity: Int

    /// The buffer bound unless the subscriber asks for another.
    public static let defaultCapacity = 65_536

    /// What a wait for the next message ended with.
    enum Next: Sendable {
        case message(NATSMessage)
        /// The deadline passed first.
        case timedOut
        /// The connection was lost while waiting (only for waits that asked to hear of it).
        case interrupted
        /// The waiting task was cancelled.
        case cancelled
        /// Unsubscribed or closed, and nothing left in the buffer.
        case finished
    }

    private struct Waiter {
        var id: UInt64
        var interruptible: Bool
        var continuation: CheckedContinuation<Next, Never>
        var timer: Scheduled<Void>?
    }

    private struct Buffer {
        var messages: Deque<NATSMessage> = []
        var waiters: Deque<Waiter> = []
        var finished = false
        var dropped = 0
        var warned = false
        var nextWaiter: UInt64 = 0
    }

    private weak let client: NATSClient?
    private let logger: Logger
    private let buffer = Mutex(Buffer())

    init(subject: String, queue: String?, sid: Int, capacity: Int, client: NATSClient, logger: Logger) {
        self.subject = subject
        self.queue = queue
        self.sid = sid
        self.capacity = capacity
        self.client = client
        self.logger = logger
    }

    /// How many messages were dropped because the buffer was full.
    public var dropped: Int { buffer.withLock { $0.dropped } }

    /// How many messages wait to be read.
    public var buffered: Int { buffer.withLock { $0.messages.count } }

    /// Sends UNSUB and ends the sequence; messages already buffered are still read first.
    public func unsubscribe() async {
        await client?.unsubscribe(self)
        finish()
    }

    /// Waits for a message, then takes it and whatever else is buffered, up to `limit`: messages
    /// that arrived together are handled together. Nil once the subscription ended and its
    /// buffer is empty, or when the waiting task is cancelled.
    public func next(upTo limit: Int) async -> [NATSMessage]? {
        guard case .message(let first) = await next(deadline: nil, on: nil, interruptible: false) else { return nil }
        guard limit > 1 else { return [first] }
        return buffer.withLock { buffer in
            var batch = [first]
            batch.reserveCapacity(Swift.min(limit, buffer.messages.count + 1))
            while batch.count < limit, let message = buffer.messages.popFirst() { batch.append(message) }
            return batch
        }
    }

    /// An iterator over the messages; several may run at once, sharing them.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(subscription: self)
    }

    /// Reads the subscription's messages; ends with nil when it ends or the task is cancelled.
    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let subscription: NATSSubscription

        /// The next message, or nil once the subscription ended or the task was cancelled.
        public mutating func next() async -> NATSMessage? {
            if case .message(let message) = await subscription.next(deadline: nil, on: nil, interruptible: false) { return message }
            return nil
        }

        /// As `next()`, from the caller's isolation.
        public mutating func next(isolation actor: isolated (any Actor)?) async -> NATSMessage? {
            if case .message(let message) = await subscription.next(deadline: nil, on: nil, interruptible: false) { return message }
            return nil
        }
    }

    /// A message from the server: to a waiting reader, else into the buffer, else dropped.
    func deliver(_ message: NATSMessage) {
        let (waiter, warn): (Waiter?, Bool) = buffer.withLock { buffer in
            if buffer.finished { return (nil, false) }
            if let waiter = buffer.waiters.popFirst() { return (waiter, false) }
            guard buffer.messages.count < capacity else {
                buffer.dropped += 1
                defer { buffer.warned = true }
                return (nil, !buffer.warned)
            }
            buffer.messages.append(message)
            return (nil, false)
        }
        if let waiter {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .message(message))
        } else if warn {
            logger.warning(
                "nats subscription buffer full: dropping messages; read faster or raise the capacity",
                metadata: ["nats.subject": "\(subject)", "nats.sid": "\(sid)", "nats.capacity": "\(capacity)"])
        }
    }

    /// Ends the sequence: readers get what is buffered, then nil.
    func finish() {
        let waiters: Deque<Waiter> = buffer.withLock { buffer in
            buffer.finished = true
            defer { buffer.waiters.removeAll() }
            return buffer.waiters
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .finished)
        }
    }

    /// The connection was lost: waits that asked to hear of it return `.interrupted`.
    func interrupt() {
        let interrupted: [Waiter] = buffer.withLock { buffer in
            let hit = Array(buffer.waiters.filter(\.interruptible))
            buffer.waiters.removeAll { $0.interruptible }
            return hit
        }
        for waiter in interrupted {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .interrupted)
        }
    }

    /// The next buffered message, without waiting.
    func poll() -> NATSMessage? {
        buffer.withLock { $0.messages.popFirst() }
    }

    /// Waits for the next message, until `deadline` (on `loop`'s clock) if given.
    func next(deadline: NIODeadline?, on loop: (any EventLoop)?, interruptible: Bool) async -> Next {
        let (ready, id): (Next?, UInt64) = buffer.withLock { buffer in
            if let message = buffer.messages.popFirst() { return (.message(message), 0) }
            if buffer.finished { return (.finished, 0) }
            buffer.nextWaiter += 1
            return (nil, buffer.nextWaiter)
        }
        if let ready { return ready }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Next, Never>) in
                let ready: Next? = buffer.withLock { buffer in
                    if let message = buffer.messages.popFirst() { return .message(message) }
                    if buffer.finished { return .finished }
                    if Task.isCancelled { return .cancelled }
                    buffer.waiters.append(Waiter(id: id, interruptible: interruptible, continuation: continuation))
                    return nil
                }
                if let ready {
                    continuation.resume(returning: ready)
                    return
                }
                guard let deadline, let loop else { return }
                let timer = loop.scheduleTask(deadline: deadline) { self.resume(waiter: id, with: .timedOut) }
                let stillWaiting = buffer.withLock { buffer in
                    guard let index = buffer.waiters.firstIndex(where: { $0.id == id }) else { return false }
                    buffer.waiters[index].timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        } onCancel: {
            self.resume(waiter: id, with: .cancelled)
        }
    }

    private func resume(waiter id: UInt64, with result: Next) {
        let waiter: Waiter? = buffer.withLock { buffer in
            guard let index = buffer.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return buffer.waiters.remove(at: index)
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: result)
    }
}
