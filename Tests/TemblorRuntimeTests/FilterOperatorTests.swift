import Testing
import TemblorRuntime
import TemblorValue

@Suite struct FilterOperatorTests {
    typealias F = OperatorFixtures

    @Test func equalsKeepsMatchesAndAcknowledgesTheRest() throws {
        var op = try FilterOperator(config: ["field": "level", "equals": "error"])
        #expect(op.condition == .equals("error"))
        let events = [
            F.event(["level": "error", "msg": "a"], 0),
            F.event(["level": "debug"], 1, tracked: [F.id(5, source: 3)]),
            F.event(["msg": "no level"], 2),
            F.event(["level": "error", "msg": "b"], 3),
        ]
        let output = try F.run(&op, events)
        #expect(F.emitted(output) == [F.Emitted(port: "out", event: events[0]), F.Emitted(port: "out", event: events[3])])
        #expect(output.dropped == [F.id(1), F.id(5, source: 3), F.id(2)])
    }

    @Test func equalsNullNeedsTheFieldPresent() throws {
        var op = try FilterOperator(config: ["field": "a.b", "equals": nil])
        let output = try F.run(&op, [F.event(["a": ["b": nil]], 0), F.event(["a": [:]], 1), F.event(["a": ["b": 0]], 2)])
        #expect(output.emitted.map(\.event.id) == [F.id(0)])
        #expect(output.dropped == [F.id(1), F.id(2)])
    }

    @Test func existsTrueAndFalse() throws {
        let events = [F.event(["x": false], 0), F.event([:], 1), F.event(["x": nil], 2)]
        var present = try FilterOperator(config: ["field": "x", "exists": true])
        let kept = try F.run(&present, events)
        #expect(kept.emitted.map(\.event.id) == [F.id(0), F.id(2)])
        #expect(kept.dropped == [F.id(1)])

        var absent = try FilterOperator(config: ["field": "x", "exists": false])
        let rest = try F.run(&absent, events)
        #expect(rest.emitted.map(\.event.id) == [F.id(1)])
        #expect(rest.dropped == [F.id(0), F.id(2)])
    }

    @Test func prefixMatchesStringsByteForByte() throws {
        var op = try FilterOperator(config: ["field": "path", "prefix": "/api/"])
        let events = [
            F.event(["path": "/api/users"], 0),
            F.event(["path": "/api"], 1),
            F.event(["path": "/static/api/"], 2),
            F.event(["path": .bytes(Array("/api/x".utf8))], 3),
            F.event(["path": 1], 4),
            F.event(["path": "/api/"], 5),
        ]
        let output = try F.run(&op, events)
        #expect(output.emitted.map(\.event.id) == [F.id(0), F.id(5)])
        #expect(output.dropped == [F.id(1), F.id(2), F.id(3), F.id(4)])
    }

    @Test(arguments: [
        (Value.string("level"), "", "configuration must be an object, not string"),
        (["equals": 1], "field", "missing; give the dotted path of a payload field, as in field: user.id"),
        (["field": "a."], "field", "path 'a.' has an empty segment at character 2; write keys between the dots"),
        (["field": "a"], "", "no condition; give exactly one of equals, exists or prefix"),
        (["field": "a", "equals": 1, "prefix": "x"], "prefix",
         "conflicting conditions equals and prefix; give exactly one of equals, exists or prefix"),
        (["field": "a", "exists": "yes"], "exists", "expected true or false, got \"yes\""),
        (["field": "a", "prefix": 1], "prefix", "expected a string, got 1"),
        (["field": "a", "matches": "^x"], "matches", "unknown key; known keys: equals, exists, field, prefix"),
    ] as [(Value, String, String)])
    func badConfig(config: Value, key: String, message: String) {
        #expect(throws: OperatorError.badConfig(operator: "filter", key: key, message: message)) {
            try FilterOperator(config: config)
        }
    }
}
