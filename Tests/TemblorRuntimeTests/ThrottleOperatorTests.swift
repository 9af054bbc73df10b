import Testing
import TemblorRuntime
import TemblorValue

@Suite struct ThrottleOperatorTests {
    typealias F = OperatorFixtures

    @Test func burstThenRateWithDropsAcknowledged() throws {
        let clock = ManualClock()
        var op = try ThrottleOperator(config: ["rate": 10, "burst": 3], clock: clock.read)
        var output = try F.run(&op, (0..<5).map { F.event(Value($0), $0) })
        #expect(F.emitted(output) == (0..<3).map { F.Emitted(port: "out", event: F.event(Value($0), $0)) })
        #expect(output.dropped == [F.id(3), F.id(4)])

        // One event's worth of time refills one token.
        output.removeAll()
        clock.advance(ms: 99)
        try op.process(F.event(5, 5), into: &output)
        clock.advance(ms: 1)
        try op.process(F.event(6, 6), into: &output)
        try op.process(F.event(7, 7), into: &output)
        #expect(output.emitted.map(\.event.id) == [F.id(6)])
        #expect(output.dropped == [F.id(5), F.id(7)])

        // A long pause refills the bucket only up to the burst.
        output.removeAll()
        clock.advance(ms: 10_000)
        output = try F.run(&op, (8..<13).map { F.event(Value($0), $0) })
        #expect(output.emitted.map(\.event.id) == [F.id(8), F.id(9), F.id(10)])
        #expect(output.dropped == [F.id(11), F.id(12)])
    }

    @Test func burstDefaultsToRate() throws {
        let clock = ManualClock()
        var op = try ThrottleOperator(config: ["rate": 2], clock: clock.read)
        #expect(op.burst == 2)
        let output = try F.run(&op, (0..<3).map { F.event(Value($0), $0) })
        #expect(output.emitted.map(\.event.id) == [F.id(0), F.id(1)])
        #expect(output.dropped == [F.id(2)])
    }

    @Test func fractionalRateLetsOneEventThroughPerInterval() throws {
        let clock = ManualClock()
        var op = try ThrottleOperator(config: ["rate": 0.5], clock: clock.read)
        #expect(op.burst == 1)
        var output = try F.run(&op, [F.event(0, 0)])
        clock.advance(ms: 1_999)
        try op.process(F.event(1, 1), into: &output)
        clock.advance(ms: 1)
        try op.process(F.event(2, 2), into: &output)
        #expect(output.emitted.map(\.event.id) == [F.id(0), F.id(2)])
        #expect(output.dropped == [F.id(1)])
    }

    @Test func steadyTrafficAtTheRatePasses() throws {
        let clock = ManualClock()
        var op = try ThrottleOperator(config: ["rate": 7, "burst": 1], clock: clock.read)
        var output = OperatorOutput()
        for n in 0..<50 as Range<UInt64> {
            try op.process(F.event(Value(n), n), into: &output)
            clock.advance(ns: 142_857_143)
        }
        #expect(output.emitted.count == 50)
        #expect(output.dropped.isEmpty)
    }

    @Test func droppingAcknowledgesTrackedIdsToo() throws {
        let clock = ManualClock()
        var op = try ThrottleOperator(config: ["rate": 1], clock: clock.read)
        let output = try F.run(&op, [F.event(0, 0), F.event(1, 1, tracked: [F.id(7, source: 2)])])
        #expect(output.dropped == [F.id(1), F.id(7, source: 2)])
    }

    @Test func overflowErrSendsExcessToErrUnchanged() throws {
        let clock = ManualClock()
        var op = try ThrottleOperator(config: ["rate": 1, "overflow": "err"], clock: clock.read)
        #expect(op.overflow == .err)
        let output = try F.run(&op, [F.event("a", 0), F.event("b", 1)])
        #expect(F.emitted(output) == [
            F.Emitted(port: "out", event: F.event("a", 0)),
            F.Emitted(port: "err", event: F.event("b", 1)),
        ])
        #expect(output.dropped.isEmpty)
    }

    @Test func realClockConfigurationBuilds() throws {
        let op = try ThrottleOperator(config: ["rate": 1000, "burst": 10.5, "overflow": "drop"])
        #expect(op.rate == 1000)
        #expect(op.burst == 10.5)
        #expect(op.overflow == .drop)
    }

    @Test(arguments: [
        (Value.array([]), "", "configuration must be an object, not array"),
        ([:], "rate", "missing; give the events per second to let through, as in rate: 100"),
        (["rate": "fast"], "rate", "expected a number, got \"fast\""),
        (["rate": .float(.infinity)], "rate", "expected a number, got inf"),
        (["rate": 0], "rate", "expected events per second above 0 (at least 1e-9), got 0"),
        (["rate": -5], "rate", "expected events per second above 0 (at least 1e-9), got -5"),
        (["rate": 1e-12], "rate", "expected events per second above 0 (at least 1e-9), got 1e-12"),
        (["rate": 10, "burst": 0.5], "burst", "expected a number of events of at least 1, got 0.5"),
        (["rate": 10, "burst": "x"], "burst", "expected a number, got \"x\""),
        (["rate": 10, "overflow": "fail"], "overflow", "expected drop or err, got 'fail'"),
        (["rate": 10, "overflow": 1], "overflow", "expected a string, got 1"),
        (["rate": 10, "per": "second"], "per", "unknown key; known keys: burst, overflow, rate"),
    ] as [(Value, String, String)])
    func badConfig(config: Value, key: String, message: String) {
        #expect(throws: OperatorError.badConfig(operator: "throttle", key: key, message: message)) {
            try ThrottleOperator(config: config)
        }
    }
}
