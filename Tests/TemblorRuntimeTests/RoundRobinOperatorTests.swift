import Testing
import TemblorRuntime
import TemblorValue

@Suite struct RoundRobinOperatorTests {
    typealias F = OperatorFixtures

    @Test func sendsEachEventToTheNextPortInTurn() throws {
        var op = try RoundRobinOperator(config: ["outputs": ["out", "out2", "out3"]])
        let output = try F.run(&op, (0..<7).map { F.event(Value($0), $0) })
        let ports = ["out", "out2", "out3", "out", "out2", "out3", "out"]
        #expect(F.emitted(output) == (0..<7).map { F.Emitted(port: ports[Int($0)], event: F.event(Value($0), $0)) })
        #expect(output.dropped.isEmpty)
    }

    @Test func extraPortsAreTheOnesBesidesOutAndErr() throws {
        let op = try RoundRobinOperator(config: ["outputs": ["err", "a", "out", "b"]])
        #expect(op.outputs == ["err", "a", "out", "b"])
        #expect(op.extraPorts == ["a", "b"])
        let made = try OperatorRegistry.standard.make("round-robin", config: ["outputs": ["left", "right"]])
        #expect(made.extraPorts == ["left", "right"])
    }

    @Test(arguments: [
        (Value.null, "outputs", "missing; list the output ports to take turns, as in outputs: [out, out2]"),
        ([1], "", "configuration must be an object, not array"),
        (["ports": ["a", "b"]], "ports", "unknown key; known keys: outputs"),
        (["outputs": "out"], "outputs", "expected an array of port names, got \"out\""),
        (["outputs": []], "outputs", "lists 0 port(s); list at least two, as in outputs: [out, out2]"),
        (["outputs": ["out"]], "outputs", "lists 1 port(s); list at least two, as in outputs: [out, out2]"),
        (["outputs": ["out", 2]], "outputs", "expected port names, got 2 at index 1"),
        (["outputs": ["out", ""]], "outputs", "expected port names, got \"\" at index 1"),
        (["outputs": ["out", "b", "out"]], "outputs", "lists port 'out' twice; list each port once"),
        (["outputs": ["in", "out"]], "outputs", "'in' is an input port; name output ports, as in outputs: [out, out2]"),
    ] as [(Value, String, String)])
    func badConfig(config: Value, key: String, message: String) {
        #expect(throws: OperatorError.badConfig(operator: "round-robin", key: key, message: message)) {
            try RoundRobinOperator(config: config)
        }
    }
}
