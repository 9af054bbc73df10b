import NIOCore
import Testing

@testable import TemblorNATS

@Suite struct JetStreamMessageMetadataTests {
    @Test func readsTheOriginalAckSubject() throws {
        let metadata = try #require(JetStreamMessageMetadata(replySubject: "$JS.ACK.ORDERS.worker.2.15.7.1700000000123456789.3"))
        #expect(
            metadata
                == JetStreamMessageMetadata(
                    stream: "ORDERS", consumer: "worker", delivered: 2, streamSequence: 15, consumerSequence: 7, timestamp: 1_700_000_000_123_456_789,
                    pending: 3))
    }

    @Test func readsTheAckSubjectWithDomainAndAccount() throws {
        let withDomain = try #require(JetStreamMessageMetadata(replySubject: "$JS.ACK.hub.ACCHASH.ORDERS.worker.1.16.8.1700000000000000000.0.r4nd"))
        #expect(withDomain.domain == "hub")
        #expect(withDomain.stream == "ORDERS" && withDomain.consumer == "worker")
        #expect(withDomain.delivered == 1 && withDomain.streamSequence == 16 && withDomain.consumerSequence == 8 && withDomain.pending == 0)
        let noDomain = try #require(JetStreamMessageMetadata(replySubject: "$JS.ACK._.ACCHASH.S.C.1.2.3.4.5.tok"))
        #expect(noDomain.domain == nil && noDomain.stream == "S" && noDomain.timestamp == 4 && noDomain.pending == 5)
        // Tokens added after the known ones are allowed.
        #expect(JetStreamMessageMetadata(replySubject: "$JS.ACK._.H.S.C.1.2.3.4.5") != nil)
        #expect(JetStreamMessageMetadata(replySubject: "$JS.ACK._.H.S.C.1.2.3.4.5.tok.extra") != nil)
    }

    @Test func refusesOtherSubjects() {
        for subject in [
            "", "foo", "$JS.ACK.a.b.c", "$JS.ACK.S.C.x.1.1.1.1", "$JS.ACK.S.C.1.1.1.1", "$JS.NAK.S.C.1.1.1.1.1", "$JS.ACK.S.C.1.1.1.1.1.1",
            "$JS.ACK.S.C.-1.1.1.1.1", "$JS.ACK..C.1.1.1.1.1", "_INBOX.abc.1", "$JS.ACK.d.h.S.C.1.2.3.4.x.t",
        ] {
            #expect(JetStreamMessageMetadata(replySubject: subject) == nil, "\(subject)")
        }
    }

    @Test func wrapsOnlyConsumerDeliveries() {
        let delivered = NATSMessage(subject: "orders.new", sid: 1, reply: "$JS.ACK.S.C.1.1.1.1.0", payload: ByteBuffer(string: "x"))
        #expect(JetStreamMessage(delivered)?.metadata.streamSequence == 1)
        #expect(JetStreamMessage(NATSMessage(subject: "orders.new", sid: 1, reply: "_INBOX.x", payload: ByteBuffer())) == nil)
        #expect(JetStreamMessage(NATSMessage(subject: "orders.new", sid: 1, payload: ByteBuffer())) == nil)
    }
}
