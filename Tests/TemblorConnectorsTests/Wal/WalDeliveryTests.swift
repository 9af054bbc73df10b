import Testing
@testable import TemblorConnectors

@Suite struct WalDeliveryTests {
    @Test func theWatermarkWaitsForTheOldestOutstandingRecord() {
        var delivery = WalDelivery(watermark: 10)
        delivery.acknowledge(13)
        delivery.acknowledge(12)
        #expect(delivery.watermark == 10)
        delivery.acknowledge(11)
        #expect(delivery.watermark == 13)
        delivery.acknowledge(15)
        #expect(delivery.watermark == 13)
        #expect(!delivery.isSettled(before: 16))
        delivery.acknowledge(14)
        #expect(delivery.watermark == 15)
        #expect(delivery.isSettled(before: 16))
    }

    @Test func recordsThatWereNeverThereDoNotHoldTheWatermark() {
        // 12 and 13 were damaged: the reader passed over them.
        var delivery = WalDelivery(watermark: 10)
        delivery.passed(12..<14)
        delivery.acknowledge(14)
        #expect(delivery.watermark == 10)
        delivery.acknowledge(11)
        #expect(delivery.watermark == 14)
        // A reader starting after reclaimed records passes over all of them at once.
        delivery.passed(11..<1_000_000)
        #expect(delivery.watermark == 999_999)
    }

    @Test func aFailRewindsToItAndWhatWasDeliveredAfterItIsSkipped() {
        var delivery = WalDelivery(watermark: 0)
        delivery.acknowledge(1)
        delivery.acknowledge(2)
        delivery.fail(3)
        delivery.acknowledge(4)
        delivery.fail(5)
        #expect(delivery.watermark == 2)
        #expect(delivery.firstFailed == 3)
        let from = delivery.rewind(readerAt: 7)
        #expect(from == 3)
        #expect(delivery.firstFailed == nil)
        #expect(!delivery.isDelivered(3))
        #expect(delivery.isDelivered(4))
        delivery.acknowledge(3)
        #expect(delivery.watermark == 4)
        delivery.acknowledge(6)
        delivery.acknowledge(5)
        #expect(delivery.watermark == 6)
    }

    @Test func aFailDuringARedeliveryRewindsToWhereThatRedeliveryWas() {
        var delivery = WalDelivery(watermark: 0)
        delivery.fail(1)
        #expect(delivery.rewind(readerAt: 41) == 1)
        // The redelivery sent 1...20 again when 36, from the first pass, fails: 21...35 were
        // not sent again yet, so the next redelivery starts at 21, not 36.
        delivery.fail(36)
        #expect(delivery.rewind(readerAt: 21) == 21)
        for s in UInt64(1)...40 { delivery.acknowledge(s) }
        #expect(delivery.watermark == 40)
    }

    @Test func anAckOrFailForARecordDeliveredAlreadyChangesNothing() {
        var delivery = WalDelivery(watermark: 5)
        let moved = delivery.acknowledge(3)
        #expect(!moved)
        delivery.fail(4)
        delivery.acknowledge(7)
        delivery.fail(7)
        #expect(delivery.firstFailed == nil)
        #expect(delivery.rewind(readerAt: 8) == nil)
    }
}
