import NIOCore
import TemblorLua

/// Holds what a plugin's TCP socket received and not yet read, and cuts it by the receive
/// pattern. Reads on demand (the channel's autoRead is off): only while a receive waits and the
/// state's buffered bytes are under `limits.ioBuffer`, so a fast peer cannot fill the host's memory.
/// Lives on its channel's event loop; the session reaches it through a `NIOLoopBound`.
final class LuaStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private struct Waiter {
        var pattern: LuaIORequest.ReceivePattern
        var promise: EventLoopPromise<[UInt8]>
    }

    private let budget: LuaIOBudget
    private var buffer = ByteBufferAllocator().buffer(capacity: 0)
    /// Bytes of `buffer` already searched for the pending line or delimiter.
    private var scanned = 0
    private var waiter: Waiter?
    private var context: ChannelHandlerContext?
    private var reading = false
    /// The peer closed (or the connection broke): nothing more arrives.
    private(set) var ended = false

    init(budget: LuaIOBudget) {
        self.budget = budget
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        budget.add(incoming.readableBytes)
        buffer.writeBuffer(&incoming)
        serve()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        serve()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended = true
        serve()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a broken pipe: the connection is over; what arrived before stays readable.
        ended = true
        context.close(promise: nil)
        serve()
    }

    /// Starts a receive that completes `promise` with the bytes or a `LuaIOFailure`.
    func receive(_ pattern: LuaIORequest.ReceivePattern, promise: EventLoopPromise<[UInt8]>) {
        guard waiter == nil else {
            promise.fail(LuaIOFailure("another receive on this socket is still waiting"))
            return
        }
        if case .count(let n) = pattern, n > budget.capacity {
            promise.fail(LuaIOFailure("cannot receive \(n) bytes at once: more than the I/O buffer holds (\(budget.limitDescription))"))
            return
        }
        waiter = Waiter(pattern: pattern, promise: promise)
        serve()
    }

    /// Forgets the receive of `promise` (timed out or cancelled); its bytes stay buffered.
    func abandon(_ promise: EventLoopPromise<[UInt8]>) {
        if let waiter, waiter.promise.futureResult === promise.futureResult { self.waiter = nil }
    }

    /// Drops what is buffered, once the socket is closed by the script.
    func discard() {
        budget.remove(buffer.readableBytes)
        buffer.clear()
        scanned = 0
        ended = true
        if let waiter {
            self.waiter = nil
            waiter.promise.fail(LuaIOFailure("closed"))
        }
    }

    /// Completes the waiting receive when the buffer satisfies it, else asks for more.
    private func serve() {
        guard let current = waiter else { return }
        if let bytes = take(current.pattern) {
            waiter = nil
            current.promise.succeed(bytes)
            return
        }
        if ended {
            waiter = nil
            if current.pattern == .all {
                let count = buffer.readableBytes
                let bytes = buffer.readBytes(length: count) ?? []
                consumed(count)
                current.promise.succeed(bytes)
            } else {
                current.promise.fail(LuaIOFailure("closed"))
            }
            return
        }
        guard !reading else { return }
        guard budget.hasRoom else {
            waiter = nil
            if buffer.readableBytes < budget.capacity {
                current.promise.fail(
                    LuaIOFailure("the I/O buffer is full (\(budget.limitDescription)) with what other sockets received; read from them or close them"))
            } else {
                current.promise.fail(LuaIOFailure(overflow(current.pattern)))
            }
            return
        }
        guard let context else { return }
        reading = true
        context.read()
    }

    private func overflow(_ pattern: LuaIORequest.ReceivePattern) -> String {
        let limit = budget.limitDescription
        switch pattern {
        case .line: return "line longer than the I/O buffer holds (\(limit)); read it in counted pieces"
        case .delimiter: return "no delimiter within what the I/O buffer holds (\(limit))"
        case .all: return "the peer sends more than the I/O buffer holds (\(limit)) before closing; read it in counted pieces"
        case .count(let n): return "cannot receive \(n) bytes now: the I/O buffer is full (\(limit))"
        }
    }

    /// The bytes `pattern` asks for, when they are all buffered (taken off the buffer).
    private func take(_ pattern: LuaIORequest.ReceivePattern) -> [UInt8]? {
        switch pattern {
        case .all:
            return nil
        case .count(let n):
            guard buffer.readableBytes >= n else { return nil }
            let bytes = buffer.readBytes(length: n) ?? []
            consumed(n)
            return bytes
        case .line:
            guard let end = find([UInt8(ascii: "\n")]) else { return nil }
            var bytes = buffer.readBytes(length: end) ?? []
            buffer.moveReaderIndex(forwardBy: 1)
            consumed(end + 1)
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            return bytes
        case .delimiter(let delimiter):
            guard !delimiter.isEmpty else { return [] }
            guard let end = find(delimiter) else { return nil }
            let bytes = buffer.readBytes(length: end) ?? []
            buffer.moveReaderIndex(forwardBy: delimiter.count)
            consumed(end + delimiter.count)
            return bytes
        }
    }

    /// The offset of `needle` in the readable bytes, searching only what was not searched before.
    private func find(_ needle: [UInt8]) -> Int? {
        let view = buffer.readableBytesView
        let count = view.count
        guard count >= needle.count else { return nil }
        var offset = max(0, scanned - needle.count + 1)
        let base = view.startIndex
        while offset + needle.count <= count {
            if view[base + offset] == needle[0] {
                var matches = true
                for k in 1..<needle.count where view[base + offset + k] != needle[k] {
                    matches = false
                    break
                }
                if matches { return offset }
            }
            offset += 1
        }
        scanned = count
        return nil
    }

    private func consumed(_ count: Int) {
        budget.remove(count)
        scanned = 0
        if buffer.readableBytes == 0 {
            buffer.clear()
        } else if buffer.readerIndex >= 65_536, buffer.readerIndex >= buffer.readableBytes {
            // Moves the rest only when that costs less than what it frees.
            buffer.discardReadBytes()
        }
    }
}
