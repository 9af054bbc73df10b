import NIOCore
import Testing

@testable import TemblorNATS

@Suite struct NATSCommandEncodingTests {
    private func written(_ write: (inout ByteBuffer) -> Void) -> String {
        var buffer = ByteBuffer()
        write(&buffer)
        return String(buffer: buffer)
    }

    @Test func writesPubAsTheDocumentationShowsIt() {
        #expect(written { $0.writeNATSMessage(subject: "FOO", reply: nil, headers: nil, payload: ByteBuffer(string: "Hello NATS!")) } == "PUB FOO 11\r\nHello NATS!\r\n")
        #expect(
            written { $0.writeNATSMessage(subject: "FRONT.DOOR", reply: "JOKE.22", headers: nil, payload: ByteBuffer(string: "Knock Knock")) }
                == "PUB FRONT.DOOR JOKE.22 11\r\nKnock Knock\r\n")
        #expect(written { $0.writeNATSMessage(subject: "NOTIFY", reply: nil, headers: nil, payload: ByteBuffer()) } == "PUB NOTIFY 0\r\n\r\n")
    }

    @Test func writesHpubAsTheDocumentationShowsIt() {
        #expect(
            written { $0.writeNATSMessage(subject: "FOO", reply: nil, headers: NATSHeaders([("Bar", "Baz")]), payload: ByteBuffer(string: "Hello NATS!")) }
                == "HPUB FOO 22 33\r\nNATS/1.0\r\nBar: Baz\r\n\r\nHello NATS!\r\n")
        let lunch = NATSHeaders([("BREAKFAST", "donut"), ("LUNCH", "burger")])
        #expect(
            written { $0.writeNATSMessage(subject: "FRONT.DOOR", reply: "JOKE.22", headers: lunch, payload: ByteBuffer(string: "Knock Knock")) }
                == "HPUB FRONT.DOOR JOKE.22 45 56\r\nNATS/1.0\r\nBREAKFAST: donut\r\nLUNCH: burger\r\n\r\nKnock Knock\r\n")
        #expect(
            written { $0.writeNATSMessage(subject: "NOTIFY", reply: nil, headers: NATSHeaders([("Bar", "Baz")]), payload: ByteBuffer()) }
                == "HPUB NOTIFY 22 22\r\nNATS/1.0\r\nBar: Baz\r\n\r\n\r\n")
        let menu = NATSHeaders([("BREAKFAST", "donut"), ("BREAKFAST", "eggs")])
        #expect(
            written { $0.writeNATSMessage(subject: "MORNING.MENU", reply: nil, headers: menu, payload: ByteBuffer(string: "Yum!")) }
                == "HPUB MORNING.MENU 47 51\r\nNATS/1.0\r\nBREAKFAST: donut\r\nBREAKFAST: eggs\r\n\r\nYum!\r\n")
    }

    @Test func writesSubUnsubPingPong() {
        #expect(written { $0.writeNATSSubscribe(subject: "FOO", queue: nil, sid: 1) } == "SUB FOO 1\r\n")
        #expect(written { $0.writeNATSSubscribe(subject: "BAR", queue: "G1", sid: 44) } == "SUB BAR G1 44\r\n")
        #expect(written { $0.writeNATSUnsubscribe(sid: 1) } == "UNSUB 1\r\n")
        #expect(written { $0.writeNATSUnsubscribe(sid: 1, max: 5) } == "UNSUB 1 5\r\n")
        #expect(written { $0.writeNATSPing() } == "PING\r\n")
        #expect(written { $0.writeNATSPong() } == "PONG\r\n")
    }

    @Test func writesNumbersDigitByDigit() {
        for number in [0, 7, 9, 10, 99, 100, 4222, 1_048_576, 1_234_567_890, Int.max, -1, -42, Int.min] {
            #expect(written { $0.writeDecimal(number) } == String(number))
        }
        #expect(written { $0.writeDecimal(UInt.max) } == String(UInt.max))
    }

    @Test func writesConnectWithEveryField() {
        var command = NATSConnectCommand(name: "temblor")
        #expect(
            written { $0.writeNATSConnect(command) }
                == #"CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"name":"temblor","lang":"swift","version":"0.1.0","protocol":1,"headers":true,"no_responders":true}"#
                + "\r\n")
        command.tlsRequired = true
        command.authToken = "s3cr\"t"
        command.user = "alice"
        command.password = "p\\w"
        command.jwt = "eyJ0"
        command.nkey = "UABC"
        command.signature = "c2ln"
        command.name = "line\nbreak"
        #expect(
            command.json
                == #"{"verbose":false,"pedantic":false,"tls_required":true,"name":"line\nbreak","lang":"swift","version":"0.1.0","protocol":1,"headers":true,"no_responders":true,"auth_token":"s3cr\"t","user":"alice","pass":"p\\w","jwt":"eyJ0","nkey":"UABC","sig":"c2ln"}"#
        )
    }

    @Test func fillsInCredentialsFromAuthAndURL() throws {
        let server = try NATSServerAddress(url: "nats://bob:pw@127.0.0.1:4222")
        var command = NATSConnectCommand(name: "t")
        try NATSConnectionHandler.authenticate(&command, with: .none, server: server, nonce: nil)
        #expect(command.user == "bob" && command.password == "pw" && command.authToken == nil)

        command = NATSConnectCommand(name: "t")
        try NATSConnectionHandler.authenticate(&command, with: .none, server: try NATSServerAddress(url: "nats://tok@h"), nonce: nil)
        #expect(command.authToken == "tok" && command.user == nil)

        command = NATSConnectCommand(name: "t")
        try NATSConnectionHandler.authenticate(&command, with: .token("abc"), server: server, nonce: nil)
        #expect(command.authToken == "abc" && command.user == nil)

        command = NATSConnectCommand(name: "t")
        try NATSConnectionHandler.authenticate(&command, with: .credentials(jwt: "J", seed: NKeyTests.seed), server: server, nonce: "PXoWU7zWAMt75FY")
        #expect(command.jwt == "J")
        #expect(command.signature == NKeyTests.signatureOfFirstNonce)
        #expect(command.nkey == nil)

        command = NATSConnectCommand(name: "t")
        try NATSConnectionHandler.authenticate(&command, with: .nkey(seed: NKeyTests.seed), server: server, nonce: "PXoWU7zWAMt75FY")
        #expect(command.nkey == NKeyTests.publicKey)
        #expect(command.signature == NKeyTests.signatureOfFirstNonce)

        #expect(throws: NATSError.self) {
            var command = NATSConnectCommand(name: "t")
            try NATSConnectionHandler.authenticate(&command, with: .nkey(seed: NKeyTests.seed), server: server, nonce: nil)
        }
    }
}
