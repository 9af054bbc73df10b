import NIOCore

/// Splits what the server sends into frames, however the bytes arrive: a control line up to
/// CRLF, then for MSG and HMSG the payload it announced. Ops are case-insensitive, fields are
/// separated by spaces or tabs. Lines and payloads have upper bounds, so a peer that is not a
/// NATS server cannot make the client buffer without end.
struct NATSFrameDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = NATSServerFrame

    /// The longest control line other than INFO, without its CRLF.
    var maxControlLineLength: Int
    /// The longest INFO line: a big cluster's `connect_urls` make it long.
    var maxInfoLength: Int
    /// The largest MSG/HMSG body accepted.
    var maxPayload: Int

    /// A MSG or HMSG whose control line was read and whose body has not all arrived.
    private struct PendingMessage {
        var subject: String
        var sid: Int
        var reply: String?
        var headerLength: Int?
        var totalLength: Int
    }

    private enum Line {
        case frame(NATSServerFrame)
        case message(PendingMessage)
    }

    private var pending: PendingMessage?
    /// How much of the current line was searched for its end already.
    private var scanned = 0

    init(maxControlLineLength: Int = 4096, maxInfoLength: Int = 1 << 20, maxPayload: Int = 64 << 20) {
        self.maxControlLineLength = maxControlLineLength
        self.maxInfoLength = maxInfoLength
        self.maxPayload = maxPayload
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> NATSServerFrame? {
        if let pending { return try body(of: pending, from: &buffer) }
        guard let lineLength = try lineLength(in: buffer) else { return nil }
        let line = try buffer.withUnsafeReadableBytes { raw throws(NATSError) in
            try parse(line: UnsafeRawBufferPointer(rebasing: raw[..<lineLength]))
        }
        buffer.moveReaderIndex(forwardBy: lineLength + 2)
        scanned = 0
        switch line {
        case .frame(let frame):
            return frame
        case .message(let message):
            pending = message
            return try body(of: message, from: &buffer)
        }
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> NATSServerFrame? {
        try decode(buffer: &buffer)
    }

    /// The length of the control line at the front, without CRLF, once all of it is there.
    private mutating func lineLength(in buffer: ByteBuffer) throws(NATSError) -> Int? {
        let view = buffer.readableBytesView
        if let newline = view[(view.startIndex + scanned)...].firstIndex(of: 10) {
            let length = newline - view.startIndex
            guard length >= 1, view[newline - 1] == 13 else {
                throw .protocolViolation("a control line ends in a bare LF, not CRLF: '\(Self.printable(view.prefix(length)))'")
            }
            try checkLength(length - 1, of: view)
            return length - 1
        }
        scanned = view.count
        try checkLength(view.count - 1, of: view)
        return nil
    }

    private func checkLength(_ length: Int, of view: ByteBufferView) throws(NATSError) {
        let isInfo = view.count >= 4 && view.prefix(4).map { $0 | 0x20 }.elementsEqual("info".utf8)
        let limit = isInfo ? maxInfoLength : maxControlLineLength
        if length > limit {
            throw .protocolViolation("a control line is longer than \(limit) bytes: '\(Self.printable(view.prefix(40)))…'")
        }
    }

    private func parse(line: UnsafeRawBufferPointer) throws(NATSError) -> Line {
        var fields = FieldCursor(line: line)
        guard let op = fields.next() else { throw .protocolViolation("an empty control line") }
        switch Op(line, op) {
        case .msg:
            let a = fields.next(), b = fields.next(), c = fields.next(), d = fields.next()
            guard let subject = a, let sid = b, let third = c, fields.next() == nil else {
                throw .protocolViolation("MSG wants <subject> <sid> [reply-to] <#bytes>, got '\(Self.printable(line))'")
            }
            let size = try number(d ?? third, in: line, naming: "MSG size")
            try checkPayload(size, line)
            return .message(
                PendingMessage(
                    subject: Self.string(line, subject), sid: try number(sid, in: line, naming: "MSG sid"),
                    reply: d == nil ? nil : Self.string(line, third), headerLength: nil, totalLength: size))
        case .hmsg:
            let a = fields.next(), b = fields.next(), c = fields.next(), d = fields.next(), e = fields.next()
            guard let subject = a, let sid = b, let third = c, let fourth = d, fields.next() == nil else {
                throw .protocolViolation("HMSG wants <subject> <sid> [reply-to] <#header bytes> <#total bytes>, got '\(Self.printable(line))'")
            }
            let headerLength = try number(e == nil ? third : fourth, in: line, naming: "HMSG header size")
            let total = try number(e ?? fourth, in: line, naming: "HMSG total size")
            guard headerLength <= total else {
                throw .protocolViolation("HMSG header size \(headerLength) is larger than its total size \(total): '\(Self.printable(line))'")
            }
            guard headerLength >= 10 else {
                throw .protocolViolation("HMSG header size \(headerLength) cannot hold NATS/1.0 and its CRLF: '\(Self.printable(line))'")
            }
            try checkPayload(total, line)
            return .message(
                PendingMessage(
                    subject: Self.string(line, subject), sid: try number(sid, in: line, naming: "HMSG sid"),
                    reply: e == nil ? nil : Self.string(line, third), headerLength: headerLength, totalLength: total))
        case .ping:
            return .frame(.ping)
        case .pong:
            return .frame(.pong)
        case .ok:
            return .frame(.ok)
        case .err:
            var text = Substring(Self.string(line, fields.rest)).trimmingWhitespace()
            if text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") { text = text.dropFirst().dropLast() }
            return .frame(.error(String(text)))
        case .info:
            let json = UnsafeRawBufferPointer(rebasing: line[fields.rest])
            do {
                return .frame(.info(try NATSServerInfo(json: json)))
            } catch {
                throw .protocolViolation("INFO is not the JSON object expected (\(error)): '\(Self.printable(json.prefix(80)))'")
            }
        case .unknown:
            throw .protocolViolation("unknown operation '\(Self.printable(UnsafeRawBufferPointer(rebasing: line[op])))' in '\(Self.printable(line.prefix(80)))'")
        }
    }

    private func checkPayload(_ size: Int, _ line: UnsafeRawBufferPointer) throws(NATSError) {
        if size > maxPayload {
            throw .protocolViolation("a message of \(size) bytes is larger than the \(maxPayload) bytes accepted: '\(Self.printable(line))'")
        }
    }

    private mutating func body(of message: PendingMessage, from buffer: inout ByteBuffer) throws(NATSError) -> NATSServerFrame? {
        guard buffer.readableBytes >= message.totalLength + 2 else { return nil }
        var headers: NATSHeaders?
        if let headerLength = message.headerLength {
            headers = try NATSHeaders(parsing: buffer.readSlice(length: headerLength)!)
        }
        let payload = buffer.readSlice(length: message.totalLength - (message.headerLength ?? 0))!
        guard buffer.readInteger(as: UInt16.self) == 0x0D0A else {
            throw .protocolViolation("no CRLF after the \(message.totalLength) bytes of a message on '\(message.subject)'")
        }
        pending = nil
        return .message(NATSMessage(subject: message.subject, sid: message.sid, reply: message.reply, headers: headers, payload: payload))
    }

    /// A size or sid: decimal digits only, no sign.
    private func number(_ range: Range<Int>, in line: UnsafeRawBufferPointer, naming what: String) throws(NATSError) -> Int {
        guard !range.isEmpty, range.count <= 18 else {
            throw .protocolViolation("\(what) '\(Self.printable(UnsafeRawBufferPointer(rebasing: line[range])))' is not a number")
        }
        var value = 0
        for index in range {
            let digit = line[index] &- 48
            guard digit < 10 else {
                throw .protocolViolation("\(what) '\(Self.printable(UnsafeRawBufferPointer(rebasing: line[range])))' is not a non-negative number")
            }
            value = value * 10 + Int(digit)
        }
        return value
    }

    private static func string(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self)
    }

    /// Bytes for an error message: control characters shown as `?`.
    static func printable(_ bytes: some Sequence<UInt8>) -> String {
        String(decoding: bytes.map { $0 < 32 || $0 == 127 ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }

    /// The operations a server sends.
    private enum Op {
        case msg, hmsg, ping, pong, ok, err, info, unknown

        init(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) {
            // ASCII letters to lower case; `+` and `-` are unchanged by setting 0x20.
            func lower(_ index: Int) -> UInt8 { line[range.lowerBound + index] | 0x20 }
            switch range.count {
            case 3 where lower(0) == UInt8(ascii: "m") && lower(1) == UInt8(ascii: "s") && lower(2) == UInt8(ascii: "g"):
                self = .msg
            case 3 where line[range.lowerBound] == UInt8(ascii: "+") && lower(1) == UInt8(ascii: "o") && lower(2) == UInt8(ascii: "k"):
                self = .ok
            case 4:
                let word = (lower(0), lower(1), lower(2), lower(3))
                if line[range.lowerBound] == UInt8(ascii: "-"), word.1 == UInt8(ascii: "e"), word.2 == UInt8(ascii: "r"), word.3 == UInt8(ascii: "r") {
                    self = .err
                } else if word == (UInt8(ascii: "h"), UInt8(ascii: "m"), UInt8(ascii: "s"), UInt8(ascii: "g")) {
                    self = .hmsg
                } else if word == (UInt8(ascii: "p"), UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "g")) {
                    self = .ping
                } else if word == (UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "n"), UInt8(ascii: "g")) {
                    self = .pong
                } else if word == (UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "f"), UInt8(ascii: "o")) {
                    self = .info
                } else {
                    self = .unknown
                }
            default:
                self = .unknown
            }
        }
    }

    /// Walks the space- or tab-separated fields of a control line without allocating.
    private struct FieldCursor {
        let line: UnsafeRawBufferPointer
        var position = 0

        init(line: UnsafeRawBufferPointer) { self.line = line }

        mutating func next() -> Range<Int>? {
            while position < line.count, line[position] == 32 || line[position] == 9 { position += 1 }
            guard position < line.count else { return nil }
            let start = position
            while position < line.count, line[position] != 32, line[position] != 9 { position += 1 }
            return start..<position
        }

        /// Everything after the fields read so far, leading blanks skipped.
        var rest: Range<Int> {
            var start = position
            while start < line.count, line[start] == 32 || line[start] == 9 { start += 1 }
            return start..<line.count
        }
    }
}
