import NIOCore
import Testing

@testable import TemblorNATS

@Suite struct NATSHeadersTests {
    private func roundTrip(_ headers: NATSHeaders) throws -> NATSHeaders {
        var buffer = ByteBuffer()
        headers.write(to: &buffer)
        #expect(buffer.readableBytes == headers.encodedLength)
        return try NATSHeaders(parsing: buffer)
    }

    @Test func roundTripsInOrderWithRepeatedNames() throws {
        var headers = NATSHeaders([("Nats-Msg-Id", "m-1"), ("X-Trace", "a"), ("x-trace", "lower")])
        headers.append("b", for: "X-Trace")
        let back = try roundTrip(headers)
        #expect(back == headers)
        #expect(back.map(\.name) == ["Nats-Msg-Id", "X-Trace", "x-trace", "X-Trace"])
        #expect(back.values(for: "X-Trace") == ["a", "b"])
        #expect(back["X-Trace"] == "a")
        // Names are case-sensitive, as the server reads them.
        #expect(back["x-trace"] == "lower")
        #expect(back["NATS-MSG-ID"] == nil)
        #expect(back.count == 4)
    }

    @Test func settingReplacesEveryValueAndNilRemoves() {
        var headers = NATSHeaders([("A", "1"), ("B", "2"), ("A", "3")])
        headers["A"] = "only"
        #expect(headers.map(\.value) == ["only", "2"])
        headers["C"] = "new"
        #expect(headers.map(\.name) == ["A", "B", "C"])
        headers["A"] = nil
        #expect(headers.map(\.name) == ["B", "C"])
        #expect(headers.values(for: "A").isEmpty)
    }

    @Test func carriesTheStatusLine() throws {
        var status = NATSHeaders()
        status.status = 503
        #expect(try roundTrip(status) == status)
        var buffer = ByteBuffer()
        status.write(to: &buffer)
        #expect(String(buffer: buffer) == "NATS/1.0 503\r\n\r\n")

        var described = NATSHeaders([("Nats-Pending-Messages", "2")])
        described.status = 408
        described.statusDescription = "Request Timeout"
        let back = try roundTrip(described)
        #expect(back.status == 408 && back.statusDescription == "Request Timeout" && back["Nats-Pending-Messages"] == "2")
        #expect(back != NATSHeaders([("Nats-Pending-Messages", "2")]))
    }

    @Test func parsesValuesWithColonsAndSpaces() throws {
        let parsed = try NATSHeaders(parsing: ByteBuffer(string: "NATS/1.0\r\nUrl: http://x:1/a  \r\nEmpty:\r\n  Padded  :  v w \r\n\r\n"))
        #expect(parsed["Url"] == "http://x:1/a")
        #expect(parsed["Empty"] == "")
        #expect(parsed["Padded"] == "v w")
    }

    @Test func refusesWhatCannotBeWritten() {
        #expect(throws: NATSError.self) { try NATSHeaders([("A", "line\r\nbreak")]).validate() }
        #expect(throws: NATSError.self) { try NATSHeaders([("Has Space", "v")]).validate() }
        #expect(throws: NATSError.self) { try NATSHeaders([("Colon:", "v")]).validate() }
        #expect(throws: NATSError.self) { try NATSHeaders([("", "v")]).validate() }
        #expect(throws: Never.self) { try NATSHeaders([("Fine-Name", "any: value, with ; punctuation")]).validate() }
    }
}
