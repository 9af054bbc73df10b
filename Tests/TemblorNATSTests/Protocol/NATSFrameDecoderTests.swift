import NIOCore
import Testing

@testable import TemblorNATS

@Suite struct NATSFrameDecoderTests {
    /// The examples of the client protocol documentation.
    @Test func decodesTheProtocolDocumentationExamples() throws {
        let info = try decodeFrames(
            #"INFO {"server_id":"Zk0GQ3JBSrg3oyxCRRlE09","version":"1.2.0","proto":1,"go":"go1.10.3","host":"0.0.0.0","port":4222,"max_payload":1048576,"client_id":2392}"#
                + "\r\n")
        guard case .info(let parsed) = try #require(info.first) else { Issue.record("not INFO"); return }
        #expect(parsed.serverID == "Zk0GQ3JBSrg3oyxCRRlE09")
        #expect(parsed.version == "1.2.0")
        #expect(parsed.proto == 1)
        #expect(parsed.port == 4222)
        #expect(parsed.maxPayload == 1_048_576)
        #expect(parsed.clientID == 2392)
        #expect(parsed.headers == false)
        #expect(parsed.connectURLs.isEmpty)

        #expect(try decodeFrames("MSG FOO.BAR 9 11\r\nHello World\r\n").map(render) == ["MSG FOO.BAR 9 - " + bytes("Hello World")])
        #expect(
            try decodeFrames("MSG FOO.BAR 9 GREETING.34 11\r\nHello World\r\n").map(render) == ["MSG FOO.BAR 9 GREETING.34 " + bytes("Hello World")])
        #expect(
            try decodeFrames("HMSG FOO.BAR 9 34 45\r\nNATS/1.0\r\nFoodGroup: vegetable\r\n\r\nHello World\r\n").map(render)
                == ["MSG FOO.BAR 9 - [||FoodGroup=vegetable] " + bytes("Hello World")])
        #expect(
            try decodeFrames("HMSG FOO.BAR 9 BAZ.69 34 45\r\nNATS/1.0\r\nFoodGroup: vegetable\r\n\r\nHello World\r\n").map(render)
                == ["MSG FOO.BAR 9 BAZ.69 [||FoodGroup=vegetable] " + bytes("Hello World")])
        #expect(try decodeFrames("PING\r\nPONG\r\n+OK\r\n").map(render) == ["PING", "PONG", "+OK"])
        #expect(try decodeFrames("-ERR 'Unknown Protocol Operation'\r\n").map(render) == ["-ERR Unknown Protocol Operation"])
        #expect(try decodeFrames("-ERR 'Authorization Violation'\r\n").map(render) == ["-ERR Authorization Violation"])
    }

    @Test func decodesStatusOnlyHeaders() throws {
        let noResponders = try decodeFrames("HMSG _INBOX.x.1 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n")
        guard case .message(let message) = try #require(noResponders.first) else { Issue.record("not a message"); return }
        #expect(message.status == 503)
        #expect(message.statusDescription == nil)
        #expect(message.headers?.isEmpty == true)
        #expect(message.payload.readableBytes == 0)

        let header = "NATS/1.0 404 No Messages\r\n\r\n"
        let frames = try decodeFrames("HMSG _INBOX.p.7 3 \(header.utf8.count) \(header.utf8.count)\r\n\(header)\r\n")
        guard case .message(let noMessages) = try #require(frames.first) else { Issue.record("not a message"); return }
        #expect(noMessages.status == 404)
        #expect(noMessages.statusDescription == "No Messages")

        let timeout = "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\nNats-Pending-Bytes: 0\r\n\r\n"
        let expired = try decodeFrames("HMSG in.1 3 \(timeout.utf8.count) \(timeout.utf8.count)\r\n\(timeout)\r\n")
        guard case .message(let late) = try #require(expired.first) else { Issue.record("not a message"); return }
        #expect(late.status == 408)
        #expect(late.statusDescription == "Request Timeout")
        #expect(late.headers?["Nats-Pending-Messages"] == "1")
    }

    @Test func opsAreCaseInsensitiveAndFieldsMaySpreadOverTabs() throws {
        #expect(try decodeFrames("ping\r\nPoNg\r\n+ok\r\n").map(render) == ["PING", "PONG", "+OK"])
        #expect(try decodeFrames("msg  a.b\t7   3\r\nxyz\r\n").map(render) == ["MSG a.b 7 - " + bytes("xyz")])
        #expect(try decodeFrames("hmsg a 1 r 12 12\r\nNATS/1.0\r\n\r\n\r\n").map(render) == ["MSG a 1 r [||] <>"])
    }

    @Test func keepsBinaryPayloadsWhole() throws {
        var buffer = ByteBuffer(string: "MSG bin 2 256\r\n")
        buffer.writeBytes((0...255).map { UInt8($0) })
        buffer.writeString("\r\nMSG empty 3 0\r\n\r\n")
        let frames = try decodeFrames([buffer])
        guard frames.count == 2, case .message(let binary) = frames[0], case .message(let empty) = frames[1] else {
            Issue.record("expected two messages, got \(frames.map(render))")
            return
        }
        #expect(Array(binary.payload.readableBytesView) == (0...255).map { UInt8($0) })
        #expect(empty.payload.readableBytes == 0)
    }

    /// Every split point of a buffer holding every kind of frame gives the same frames as the
    /// buffer whole, and so does feeding it byte by byte.
    @Test func decodesTheSameFramesWhereverTheBytesAreSplit() throws {
        var whole = ByteBuffer(string: #"INFO {"server_id":"S","version":"2.9.10","max_payload":1048576,"headers":true}"# + "\r\n")
        whole.writeString("PING\r\n+OK\r\nMSG a.b 1 _INBOX.r 5\r\nhe\r\no\r\n")
        whole.writeString("HMSG c 2 24 26\r\nNATS/1.0\r\nK: v\r\nK: w\r\n\r\n\r\n\r\n")
        whole.writeString("HMSG _INBOX.x 4 16 16\r\nNATS/1.0 503\r\n\r\n\r\n")
        whole.writeString("-ERR 'Permissions Violation for Subscription to \"x\"'\r\nPONG\r\nMSG z 9 0\r\n\r\n")
        let expected = try decodeFrames([whole]).map(render)
        #expect(expected.count == 9)
        for split in 0...whole.readableBytes {
            let first = whole.getSlice(at: whole.readerIndex, length: split)!
            let second = whole.getSlice(at: whole.readerIndex + split, length: whole.readableBytes - split)!
            #expect(try decodeFrames([first, second]).map(render) == expected, "split at \(split)")
        }
        let bytes = (0..<whole.readableBytes).map { whole.getSlice(at: whole.readerIndex + $0, length: 1)! }
        #expect(try decodeFrames(bytes).map(render) == expected)
    }

    @Test func decodesManyFramesInOneBuffer() throws {
        var buffer = ByteBuffer()
        for index in 0..<1000 { buffer.writeString("MSG s.\(index) \(index) \(String(index).utf8.count)\r\n\(index)\r\n") }
        let frames = try decodeFrames([buffer])
        #expect(frames.count == 1000)
        for (index, frame) in frames.enumerated() {
            guard case .message(let message) = frame else { Issue.record("frame \(index) is not a message"); continue }
            #expect(message.subject == "s.\(index)" && message.sid == index && String(buffer: message.payload) == "\(index)")
        }
    }

    @Test func refusesBadInputSayingWhy() {
        let cases: [(String, String)] = [
            ("FOO bar\r\n", "unknown operation 'FOO'"),
            ("MSG a 1 x\r\n", "MSG size 'x' is not a non-negative number"),
            ("MSG a 1 -5\r\n", "MSG size '-5' is not a non-negative number"),
            ("MSG a b 5\r\n", "MSG sid 'b' is not a non-negative number"),
            ("MSG a 1\r\n", "MSG wants <subject> <sid> [reply-to] <#bytes>"),
            ("MSG a 1 r 2 3\r\n", "MSG wants"),
            ("HMSG a 1 20 10\r\n", "header size 20 is larger than its total size 10"),
            ("HMSG a 1 4 10\r\n", "cannot hold NATS/1.0"),
            ("HMSG a 1 x 10\r\n", "HMSG header size 'x'"),
            ("HMSG a 1 12\r\n", "HMSG wants"),
            ("MSG a 1 3\r\nabcXY", "no CRLF after the 3 bytes of a message on 'a'"),
            ("MSG a 1 999999999999\r\n", "larger than the"),
            ("MSG a 1 99999999999999999999\r\n", "is not a number"),
            ("HMSG a 1 12 12\r\nHTTP/1.1\r\n\r\n\r\n", "does not start with NATS/1.0"),
            ("HMSG a 1 15 15\r\nNATS/1.0 5x\r\n\r\n\r\n", "not a three-digit code"),
            ("HMSG a 1 21 21\r\nNATS/1.0\r\nNoColon\r\n\r\n\r\n", "has no colon"),
            ("PING\n", "bare LF"),
            ("INFO {not json}\r\n", "INFO is not the JSON object expected"),
            ("\r\n", "an empty control line"),
            (String(repeating: "A", count: 5000), "longer than 4096 bytes"),
        ]
        for (input, expected) in cases {
            let error = decodingError(input)
            #expect(error?.contains(expected) == true, "\(input.prefix(40).debugDescription): \(error ?? "decoded")")
            #expect(error?.hasPrefix("nats protocol violation: ") == true)
        }
    }

    @Test func boundsLinesAndPayloads() {
        let small = NATSFrameDecoder(maxControlLineLength: 16, maxInfoLength: 64, maxPayload: 8)
        #expect(decodingError("MSG a 1 9\r\n123456789\r\n", decoder: small)?.contains("9 bytes is larger than the 8 bytes") == true)
        #expect(decodingError("MSG a 1 8\r\n12345678\r\n", decoder: small) == nil)
        #expect(decodingError("MSG aaaaaaaaaaaaaaaa 1 1\r\n", decoder: small)?.contains("longer than 16") == true)
        // INFO may be longer than other lines, up to its own bound.
        #expect(decodingError(#"INFO {"server_id":"abcdefghijklmnopqrstuvwxyz"}"# + "\r\n", decoder: small) == nil)
        #expect(decodingError("INFO " + String(repeating: " ", count: 70), decoder: small)?.contains("longer than 64") == true)
        // A partial line within the bounds just waits for more.
        #expect(decodingError("MSG a 1", decoder: small) == nil)
    }
}

/// How `render` shows a payload.
func bytes(_ text: String) -> String {
    "<" + text.utf8.map { String($0) }.joined(separator: " ") + ">"
}
