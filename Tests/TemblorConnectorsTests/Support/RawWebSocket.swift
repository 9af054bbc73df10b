import NIOCore
import NIOPosix

/// A WebSocket client spoken by hand over a plain TCP connection, for what a real client never
/// sends: bare pings, reserved opcodes, fragmented control frames. One task drives it.
struct RawWebSocket {
    /// A frame as the server sent it.
    struct Frame: Equatable {
        var fin: Bool
        var opcode: UInt8
        var payload: [UInt8]

        /// The status code of a close frame.
        var closeCode: UInt16? {
            guard opcode == 0x8, payload.count >= 2 else { return nil }
            return UInt16(payload[0]) << 8 | UInt16(payload[1])
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port`, upgrades, and runs `body` on the open WebSocket.
    static func session<T: Sendable>(port: Int, _ body: (inout RawWebSocket) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var socket = RawWebSocket(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await socket.upgrade(port: port)
            return try await body(&socket)
        }
    }

    private mutating func upgrade(port: Int) async throws {
        let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await send(Array(request.utf8))
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let range = pending.firstRange(of: end) {
                let head = String(decoding: pending[..<range.lowerBound], as: UTF8.self)
                pending.removeSubrange(..<range.upperBound)
                guard head.hasPrefix("HTTP/1.1 101") else { throw Failure(description: "upgrade refused: \(head)") }
                return
            }
            try await fill()
        }
    }

    /// The bytes of one frame from a client: masked unless told otherwise.
    static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case ..<126:
            bytes.append(maskBit | UInt8(payload.count))
        case ..<65536:
            bytes.append(maskBit | 126)
            bytes += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default:
            bytes.append(maskBit | 127)
            bytes += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        guard masked else { return bytes + payload }
        let key: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        bytes += key
        bytes += payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        return bytes
    }

    mutating func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Sends one frame (masked, as a client must, unless told otherwise).
    mutating func send(opcode: UInt8, payload: [UInt8], fin: Bool = true, masked: Bool = true) async throws {
        try await send(Self.frame(opcode: opcode, payload: payload, fin: fin, masked: masked))
    }

    /// The next frame the server sends; `nil` once it closed the connection.
    mutating func readFrame() async throws -> Frame? {
        while true {
            if let frame = takeFrame() { return frame }
            guard try await fillOrEnd() else { return nil }
        }
    }

    /// Reads frames until a close frame, which it returns (`nil` if the connection ended without one).
    mutating func readUntilClose() async throws -> Frame? {
        while let frame = try await readFrame() {
            if frame.opcode == 0x8 { return frame }
        }
        return nil
    }

    private mutating func takeFrame() -> Frame? {
        guard pending.count >= 2 else { return nil }
        let masked = pending[1] & 0x80 != 0
        var length = Int(pending[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard pending.count >= 4 else { return nil }
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            guard pending.count >= 10 else { return nil }
            length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        let keyOffset = offset
        if masked { offset += 4 }
        guard pending.count >= offset + length else { return nil }
        var payload = Array(pending[offset..<offset + length])
        if masked {
            let key = Array(pending[keyOffset..<keyOffset + 4])
            payload = payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
        }
        let frame = Frame(fin: pending[0] & 0x80 != 0, opcode: pending[0] & 0x0F, payload: payload)
        pending.removeSubrange(..<(offset + length))
        return frame
    }

    private mutating func fill() async throws {
        guard try await fillOrEnd() else { throw Failure(description: "the server closed the connection") }
    }

    private mutating func fillOrEnd() async throws -> Bool {
        do {
            guard let buffer = try await inbound.next() else { return false }
            pending += buffer.readableBytesView
            return true
        } catch let error as IOError where error.errnoCode == 104 {
            // ECONNRESET: the server closed with our bytes unread.
            return false
        }
    }
}
