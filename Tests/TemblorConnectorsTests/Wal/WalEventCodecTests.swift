import Testing
import TemblorTestSupport
import TemblorValue
@testable import TemblorConnectors

@Suite struct WalEventCodecTests {
    @Test func payloadMetadataTimesAndIdsComeBackExactly() throws {
        var generator = ValueGenerator(seed: 0x5741_4C)
        for n in 0..<500 {
            let event = Event(
                payload: generator.value(), meta: generator.value(), ingestNs: UInt64.random(in: 0...UInt64.max),
                id: EventId(source: UInt64(n), stream: UInt64.max - UInt64(n), sequence: UInt64(n) * 7),
                tracked: (0..<(n % 4)).map { EventId(source: UInt64($0), stream: 1, sequence: UInt64(n + $0)) })
            let stored = try WalEventCodec.decode(try WalEventCodec.encode(event))
            #expect(stored.payload == event.payload, "event \(n)")
            #expect(ValueGenerator.sameOrder(stored.payload, event.payload), "event \(n)")
            #expect(stored.meta == event.meta, "event \(n)")
            #expect(stored.ingestNs == event.ingestNs)
            #expect(stored.id == event.id)
            #expect(stored.tracked == event.tracked)
        }
    }

    @Test func bytesStayBytesAndNumbersKeepTheirKind() throws {
        let payload: Value = [
            "b": .bytes([0, 255, 10]), "s": "\u{0}é", "i": .int(-1), "u": .uint(UInt64.max), "f": .float(-0.0), "nan": .float(.nan),
        ]
        let stored = try WalEventCodec.decode(try WalEventCodec.encode(Event(payload: payload, id: EventId(source: 0, sequence: 0))))
        #expect(stored.payload["b"] == .bytes([0, 255, 10]))
        #expect(stored.payload["u"] == .uint(UInt64.max))
        #expect(stored.payload["f"]?.doubleValue?.sign == .minus)
        #expect(stored.payload["nan"]?.doubleValue?.isNaN == true)
    }

    @Test func aRecordCutShortOrOfAnotherVersionIsAClearError() throws {
        let bytes = try WalEventCodec.encode(Event(payload: ["a": 1], id: EventId(source: 0, sequence: 0)))
        #expect(throws: WalEventCodec.DecodeError.self) { try WalEventCodec.decode(Array(bytes.prefix(20))) }
        var other = bytes
        other[0] = 9
        do {
            _ = try WalEventCodec.decode(other)
            Issue.record("decoded a record of another version")
        } catch {
            #expect(error.description.contains("format 9"))
        }
    }
}
