import Testing
import TemblorValue
import TemblorWAL
@testable import TemblorConnectors

@Suite struct WalTailTests {
    private func events(_ range: Range<Int>) -> [Event] {
        range.map { Event(payload: .object(["n": .int(Int64($0))]), ingestNs: UInt64($0), id: EventId(source: 9, stream: 0, sequence: UInt64($0))) }
    }

    private func end(_ offset: Int) -> WalPosition { WalPosition(segment: 1, offset: offset) }

    @Test func aSourceThatKeepsUpGetsEachRunAsItWasAppended() throws {
        var tail = WalTail()
        tail.add(first: 1, events: events(1..<4), end: end(300), bytes: 300)
        tail.add(first: 4, events: events(4..<6), end: end(500), bytes: 200)
        let firstTaken = tail.take(at: 1)
        let first = try #require(firstTaken)
        #expect(first.from == 0)
        #expect(first.entry.events == events(1..<4))
        #expect(first.entry.end == end(300))
        #expect(first.entry.next == 4)
        let secondTaken = tail.take(at: 4)
        let second = try #require(secondTaken)
        #expect(second.entry.events == events(4..<6))
        let at6 = tail.take(at: 6)
        #expect(at6 == nil)
    }

    @Test func runsTheReaderAlreadyReadFromDiskAreDroppedAndAPartOneIsTakenFromWhereItIs() throws {
        var tail = WalTail()
        tail.add(first: 1, events: events(1..<4), end: end(300), bytes: 300)
        tail.add(first: 4, events: events(4..<8), end: end(700), bytes: 400)
        // The reader read 1 to 5 from disk meanwhile.
        let found = tail.take(at: 6)
        let taken = try #require(found)
        #expect(taken.entry.first == 4)
        #expect(taken.from == 2)
        let at8 = tail.take(at: 8)
        #expect(at8 == nil)
    }

    @Test func aReaderBehindTheTailReadsFromDisk() {
        var tail = WalTail()
        tail.add(first: 10, events: events(10..<12), end: end(200), bytes: 200)
        let at3 = tail.take(at: 3)
        #expect(at3 == nil)
        // Still there once the reader gets to it.
        let at10 = tail.take(at: 10)
        #expect(at10?.entry.first == 10)
    }

    @Test func whatDoesNotFitOrDoesNotFollowIsLeftToTheDisk() throws {
        var tail = WalTail(maxEvents: 4, maxBytes: 1000)
        tail.add(first: 1, events: events(1..<4), end: end(300), bytes: 300)
        tail.add(first: 4, events: events(4..<6), end: end(500), bytes: 200)  // 5 events: too many
        tail.add(first: 6, events: events(6..<7), end: end(600), bytes: 100)  // not after what is kept
        let at1 = tail.take(at: 1)
        #expect(at1?.entry.events.count == 3)
        let at4 = tail.take(at: 4)
        #expect(at4 == nil)
        // Once emptied, the tail starts again with whatever comes.
        tail.add(first: 7, events: events(7..<8), end: end(700), bytes: 100)
        let at7 = tail.take(at: 7)
        #expect(at7?.entry.events == events(7..<8))
        var small = WalTail(maxEvents: 100, maxBytes: 250)
        small.add(first: 1, events: events(1..<4), end: end(300), bytes: 300)
        let small1 = small.take(at: 1)
        #expect(small1 == nil)
    }
}
