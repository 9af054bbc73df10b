import NIOCore

/// The client's side of the protocol, written straight into the outbound buffer: no
/// intermediate strings, numbers written digit by digit.
extension ByteBuffer {
    /// `PUB` or, with headers, `HPUB`, then the header block, the payload and the closing CRLF.
    mutating func writeNATSMessage(subject: String, reply: String?, headers: NATSHeaders?, payload: ByteBuffer) {
        writeNATSMessageHead(subject: subject, reply: reply, headers: headers, payloadLength: payload.readableBytes)
        var payload = payload
        writeBuffer(&payload)
        writeCRLF()
    }

    /// Everything of a `PUB`/`HPUB` up to the payload, for a payload written on its own.
    mutating func writeNATSMessageHead(subject: String, reply: String?, headers: NATSHeaders?, payloadLength: Int) {
        if let headers {
            let headerLength = headers.encodedLength
            writeStaticString("HPUB ")
            writeString(subject)
            if let reply {
                writeInteger(UInt8(ascii: " "))
                writeString(reply)
            }
            writeInteger(UInt8(ascii: " "))
            writeDecimal(headerLength)
            writeInteger(UInt8(ascii: " "))
            writeDecimal(headerLength + payloadLength)
            writeCRLF()
            headers.write(to: &self)
        } else {
            writeStaticString("PUB ")
            writeString(subject)
            if let reply {
                writeInteger(UInt8(ascii: " "))
                writeString(reply)
            }
            writeInteger(UInt8(ascii: " "))
            writeDecimal(payloadLength)
            writeCRLF()
        }
    }

    /// `SUB <subject> [queue] <sid>`.
    mutating func writeNATSSubscribe(subject: String, queue: String?, sid: Int) {
        writeStaticString("SUB ")
        writeString(subject)
        if let queue {
            writeInteger(UInt8(ascii: " "))
            writeString(queue)
        }
        writeInteger(UInt8(ascii: " "))
        writeDecimal(sid)
        writeCRLF()
    }

    /// `UNSUB <sid> [max]`: with `max`, the server unsubscribes by itself after that many messages.
    mutating func writeNATSUnsubscribe(sid: Int, max: Int? = nil) {
        writeStaticString("UNSUB ")
        writeDecimal(sid)
        if let max {
            writeInteger(UInt8(ascii: " "))
            writeDecimal(max)
        }
        writeCRLF()
    }

    /// `PING`.
    mutating func writeNATSPing() {
        writeStaticString("PING\r\n")
    }

    /// `PONG`.
    mutating func writeNATSPong() {
        writeStaticString("PONG\r\n")
    }

    /// `CONNECT {json}`.
    mutating func writeNATSConnect(_ command: NATSConnectCommand) {
        writeStaticString("CONNECT ")
        writeString(command.json)
        writeCRLF()
    }

    mutating func writeCRLF() {
        writeInteger(UInt16(0x0D0A))
    }

    /// A decimal number without going through a String.
    mutating func writeDecimal(_ value: Int) {
        if value < 0 {
            writeInteger(UInt8(ascii: "-"))
            writeDecimal(UInt(value.magnitude))
        } else {
            writeDecimal(UInt(value))
        }
    }

    mutating func writeDecimal(_ value: UInt) {
        if value < 10 {
            writeInteger(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { raw in
            while rest > 0 {
                raw[23 - count] = UInt8(truncatingIfNeeded: rest % 10) &+ 48
                rest /= 10
                count += 1
            }
        }
        withUnsafeBytes(of: &digits) { raw in
            _ = writeBytes(UnsafeRawBufferPointer(rebasing: raw[(24 - count)...]))
        }
    }
}
