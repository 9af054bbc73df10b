import Testing
import TemblorRuntime
import TemblorValue

@Suite struct DedupOperatorTests {
    typealias F = OperatorFixtures

    @Test func dropsRepeatsAndPassesNewValuesAndEventsWithoutTheField() throws {
        let clock = ManualClock()
        var op = try DedupOperator(config: ["field": "user.id"], clock: clock.read)
        let events = [
            F.event(["user": ["id": 1]], 0),
            F.event(["user": ["id": 2]], 1),
            F.event(["user": ["id": 1], "retry": true], 2, tracked: [F.id(9, source: 2)]),
            F.event(["other": 1], 3),
            F.event(["other": 1], 4),
            F.event(["user": ["id": "1"]], 5),
        ]
        let output = try F.run(&op, events)
        #expect(F.emitted(output) == [0, 1, 3, 4, 5].map { F.Emitted(port: "out", event: events[$0]) })
        #expect(output.dropped == [F.id(2), F.id(9, source: 2)])
    }

    @Test func windowCountsFromTheEventThatPassed() throws {
        let clock = ManualClock()
        var op = try DedupOperator(config: ["field": "k", "window_ms": 1_000], clock: clock.read)
        var output = try F.run(&op, [F.event(["k": "a"], 0)])
        clock.advance(ms: 500)
        try op.process(F.event(["k": "a"], 1), into: &output)
        clock.advance(ns: 499_999_999)
        try op.process(F.event(["k": "a"], 2), into: &output)
        clock.advance(ns: 1)
        try op.process(F.event(["k": "a"], 3), into: &output)
        try op.process(F.event(["k": "a"], 4), into: &output)
        #expect(output.emitted.map(\.event.id) == [F.id(0), F.id(3)])
        #expect(output.dropped == [F.id(1), F.id(2), F.id(4)])
    }

    @Test func maxKeysForgetsTheOldestValueFirst() throws {
        let clock = ManualClock()
        var op = try DedupOperator(config: ["field": "k", "max_keys": 2], clock: clock.read)
        let keys: [Value] = ["a", "b", "c", "a", "c", "b"]
        let output = try F.run(&op, keys.enumerated().map { F.event(["k": $1], UInt64($0)) })
        // "c" evicts "a"; "a" comes back and evicts "b"; "c" is still remembered.
        #expect(output.emitted.map(\.event.id) == [F.id(0), F.id(1), F.id(2), F.id(3), F.id(5)])
        #expect(output.dropped == [F.id(4)])
    }

    @Test func keysCompareAsValues() throws {
        let clock = ManualClock()
        var op = try DedupOperator(config: ["field": "tags[0]"], clock: clock.read)
        let events = [
            F.event(["tags": [1]], 0),
            F.event(["tags": [.uint(1)]], 1),
            F.event(["tags": [1.0]], 2),
            F.event(["tags": [["a": 1, "b": 2]]], 3),
            F.event(["tags": [["b": 2, "a": 1]]], 4),
            F.event(["tags": []], 5),
        ]
        let output = try F.run(&op, events)
        #expect(output.emitted.map(\.event.id) == [F.id(0), F.id(2), F.id(3), F.id(5)])
        #expect(output.dropped == [F.id(1), F.id(4)])
    }

    @Test func defaults() throws {
        let op = try DedupOperator(config: ["field": ""])
        #expect(op.field.segments == [])
        #expect(op.windowNs == 60_000_000_000)
        #expect(op.maxKeys == 100_000)
    }

    @Test(arguments: [
        (Value.null, "field", "missing; give the dotted path of a payload field, as in field: user.id"),
        (["field": 3], "field", "expected a string, got 3"),
        (["field": "a..b"], "field", "path 'a..b' has an empty segment at character 2; write keys between the dots"),
        (["field": "tags[x]"], "field", "path 'tags[x]' has a bad index at character 6; brackets hold a number, as in tags[0]"),
        (["field": "a", "window_ms": 0], "window_ms", "expected an integer in 1...9223372036854, got 0"),
        (["field": "a", "window_ms": "1m"], "window_ms", "expected an integer in 1...9223372036854, got \"1m\""),
        (["field": "a", "max_keys": 0], "max_keys", "expected an integer of at least 1, got 0"),
        (["field": "a", "window": 10], "window", "unknown key; known keys: field, max_keys, window_ms"),
        (.bool(true), "", "configuration must be an object, not bool"),
    ] as [(Value, String, String)])
    func badConfig(config: Value, key: String, message: String) {
        #expect(throws: OperatorError.badConfig(operator: "dedup", key: key, message: message)) {
            try DedupOperator(config: config)
        }
    }
}
