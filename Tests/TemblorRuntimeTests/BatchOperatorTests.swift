import Testing
import TemblorRuntime
import TemblorValue

@Suite struct BatchOperatorTests {
    typealias F = OperatorFixtures

    @Test func fullBatchesCarryFirstEventsIdMetaAndIngestTime() throws {
        var op = try BatchOperator(config: ["count": 3])
        let output = try F.run(&op, (0..<7).map { F.event(["v": Value($0)], $0) })
        #expect(F.emitted(output) == [
            F.Emitted(port: "out", event: Event(
                payload: [["v": 0], ["v": 1], ["v": 2]], meta: ["n": 0], ingestNs: 1_000,
                id: F.id(0), tracked: [F.id(1), F.id(2)])),
            F.Emitted(port: "out", event: Event(
                payload: [["v": 3], ["v": 4], ["v": 5]], meta: ["n": 3], ingestNs: 1_003,
                id: F.id(3), tracked: [F.id(4), F.id(5)])),
        ])
        #expect(output.dropped.isEmpty)
    }

    @Test func finishFlushesThePartialBatchOnce() throws {
        var op = try BatchOperator(config: ["count": 3])
        var output = try F.run(&op, (0..<4).map { F.event(Value($0), $0) })
        output.removeAll()
        op.finish(into: &output)
        #expect(F.emitted(output) == [
            F.Emitted(port: "out", event: Event(payload: [3], meta: ["n": 3], ingestNs: 1_003, id: F.id(3)))
        ])
        output.removeAll()
        op.finish(into: &output)
        #expect(output.emitted.isEmpty)
    }

    @Test func batchTracksEveryIdItStandsFor() throws {
        var op = try BatchOperator(config: ["count": 3])
        let events = [
            F.event("a", 10, tracked: [F.id(1, source: 2), F.id(2, source: 2)]),
            F.event("b", 11),
            F.event("c", 12, tracked: [F.id(3, source: 2)]),
        ]
        let output = try F.run(&op, events)
        let batch = try #require(output.emitted.first?.event)
        #expect(batch.id == F.id(10))
        #expect(batch.tracked == [F.id(1, source: 2), F.id(2, source: 2), F.id(11), F.id(12), F.id(3, source: 2)])
        #expect(batch.allIds.count == 6)
    }

    @Test func countOfOneWrapsEachEvent() throws {
        var op = try BatchOperator(config: ["count": 1])
        let output = try F.run(&op, [F.event("x", 0), F.event("y", 1)])
        #expect(output.emitted.map(\.event.payload) == [["x"], ["y"]])
        #expect(output.emitted.map(\.event.tracked) == [[], []])
    }

    @Test func tickFlushesOnlyOnceTheFirstEventIsOlderThanTheTimeout() throws {
        let clock = ManualClock()
        var op = try BatchOperator(config: ["count": 10, "timeout_ms": 50], clock: clock.read)
        var output = try F.run(&op, [F.event("a", 0)])
        let started = clock.now
        clock.advance(ms: 30)
        _ = try F.run(&op, [F.event("b", 1)])
        op.tick(now: started + 50_000_000, into: &output)
        #expect(output.emitted.isEmpty, "exactly the timeout is not older than it")
        op.tick(now: started + 50_000_001, into: &output)
        #expect(F.emitted(output) == [
            F.Emitted(port: "out", event: Event(
                payload: ["a", "b"], meta: ["n": 0], ingestNs: 1_000, id: F.id(0), tracked: [F.id(1)]))
        ])

        // The next batch's age counts from its own first event.
        output.removeAll()
        clock.advance(ms: 100)
        _ = try F.run(&op, [F.event("c", 2)])
        op.tick(now: clock.now + 10_000_000, into: &output)
        #expect(output.emitted.isEmpty)
        op.tick(now: clock.now + 60_000_000, into: &output)
        #expect(output.emitted.map(\.event.payload) == [["c"]])
    }

    @Test func tickWithoutTimeoutOrBatchEmitsNothing() throws {
        let clock = ManualClock()
        var untimed = try BatchOperator(config: ["count": 10], clock: clock.read)
        var output = try F.run(&untimed, [F.event("a", 0)])
        untimed.tick(now: .max, into: &output)
        #expect(output.emitted.isEmpty)

        var timed = try BatchOperator(config: ["timeout_ms": 1], clock: clock.read)
        timed.tick(now: .max, into: &output)
        #expect(output.emitted.isEmpty)
    }

    @Test func defaults() throws {
        for config: Value in [nil, [:]] {
            let op = try BatchOperator(config: config)
            #expect(op.count == 100)
            #expect(op.timeoutNs == nil)
        }
        #expect(try BatchOperator(config: ["timeout_ms": 250]).timeoutNs == 250_000_000)
    }

    @Test(arguments: [
        (Value.string("x"), "", "configuration must be an object, not string"),
        (["size": 3], "size", "unknown key; known keys: count, timeout_ms"),
        (["count": 0], "count", "expected an integer of at least 1, got 0"),
        (["count": -4], "count", "expected an integer of at least 1, got -4"),
        (["count": "10"], "count", "expected an integer of at least 1, got \"10\""),
        (["count": 2.0], "count", "expected an integer of at least 1, got 2.0"),
        (["timeout_ms": 0], "timeout_ms", "expected an integer in 1...9223372036854, got 0"),
        (["timeout_ms": 9_223_372_036_855], "timeout_ms", "expected an integer in 1...9223372036854, got 9223372036855"),
        (["timeout_ms": true], "timeout_ms", "expected an integer in 1...9223372036854, got true"),
        (["timeout_ms": nil], "timeout_ms", "expected an integer in 1...9223372036854, got null"),
    ] as [(Value, String, String)])
    func badConfig(config: Value, key: String, message: String) {
        #expect(throws: OperatorError.badConfig(operator: "batch", key: key, message: message)) {
            try BatchOperator(config: config)
        }
    }

    @Test func badConfigDescriptionNamesOperatorAndKey() {
        #expect(throws: OperatorError.self) { try BatchOperator(config: ["count": 0]) }
        do {
            _ = try BatchOperator(config: ["count": 0])
        } catch {
            #expect(error.description == "batch: config 'count': expected an integer of at least 1, got 0")
        }
    }
}
