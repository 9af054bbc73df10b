import CoreMetrics
import Logging
import TemblorCodecs
import TemblorValue

/// Runs one pipeline: takes batches from its input queue, passes each event through the
/// operators in order, and sends what comes out on the pipeline's ports.
struct PipelineNode: Sendable {
    let definition: PipelineDefinition
    let registry: OperatorRegistry
    let input: BoundedQueue<NodeMessage>
    let outlets: [Port: Outlet]
    let router: ContraflowRouter
    let logger: Logger
    /// Makes the node's event counters, once per run; `nil` keeps no metrics.
    var metrics: FlowMetrics? = nil
    /// Where the node's Lua operators are registered for reloads.
    var reloader: PluginReloader? = nil

    func run() async {
        var operators: [any Operator] = []
        for op in definition.operators {
            do {
                operators.append(try registry.make(op.name, config: op.config))
            } catch {
                // The validator builds every operator before a run, so this is not expected.
                logger.critical("pipeline \(definition.name): \(error)")
                return
            }
        }
        for op in operators {
            if let reloadable = op.reloadable { await reloader?.add(reloadable) }
        }
        var output = OperatorOutput()
        var byPort: [Port: [Event]] = [:]
        // Made when a frame first needs decoding: most pipelines never see JSON text.
        var json: JSONCodec?
        let identity = operators.allSatisfy(\.forwardsUnchanged)
        let inEvents = metrics?.events(node: definition.name, port: .in, direction: "in")
        var outEvents: [Port: Counter] = [:]
        if let metrics {
            for port in Set(outlets.keys).union([.out, .err]) {
                outEvents[port] = metrics.events(node: definition.name, port: port, direction: "out")
            }
        }
        while let message = await input.receive() {
            switch message {
            case .batch(let events) where identity:
                inEvents?.increment(by: events.count)
                byPort[.out] = events
            case .batch(let events):
                inEvents?.increment(by: events.count)
                for var event in events {
                    // Frames still in their JSON text become values here, where operators read them.
                    if event.payloadIsJSONText {
                        do throws(CodecError) {
                            if json == nil { json = JSONCodec() }
                            try event.decodeJSONText(with: &json!)
                        } catch {
                            let reason = "pipeline \(definition.name): event \(event.id): invalid JSON: \(error)"
                            logger.error("\(reason)")
                            router.fail([event], reason: reason)
                            continue
                        }
                    }
                    process(event, from: 0, operators: &operators, output: &output, byPort: &byPort)
                }
            case .tick(let now):
                for index in operators.indices {
                    output.removeAll()
                    operators[index].tick(now: now, into: &output)
                    forward(output, after: index, operators: &operators, byPort: &byPort)
                }
            }
            await send(&byPort, counting: &outEvents)
        }
        for index in operators.indices {
            output.removeAll()
            operators[index].finish(into: &output)
            forward(output, after: index, operators: &operators, byPort: &byPort)
        }
        await send(&byPort, counting: &outEvents)
        for outlet in outlets.values { outlet.finish() }
    }

    /// Runs `event` through the operators from `index` on.
    private func process(_ event: Event, from index: Int, operators: inout [any Operator], output: inout OperatorOutput, byPort: inout [Port: [Event]]) {
        guard index < operators.count else {
            byPort[.out, default: []].append(event)
            return
        }
        output.removeAll()
        do {
            try operators[index].process(event, into: &output)
        } catch {
            var failed = event
            failed.meta["error"] = .string("pipeline \(definition.name): \(error)")
            byPort[.err, default: []].append(failed)
            return
        }
        forward(output, after: index, operators: &operators, byPort: &byPort)
    }

    /// Sends what operator `index` produced on: `out` to the next operator, other ports out of
    /// the pipeline, dropped events back to their sources as delivered.
    private func forward(_ produced: OperatorOutput, after index: Int, operators: inout [any Operator], byPort: inout [Port: [Event]]) {
        if !produced.dropped.isEmpty { router.ack(ids: produced.dropped) }
        for (port, event) in produced.emitted {
            if port == .out {
                var next = OperatorOutput()
                process(event, from: index + 1, operators: &operators, output: &next, byPort: &byPort)
            } else {
                byPort[port, default: []].append(event)
            }
        }
    }

    /// Sends each port's events on, counting them on `counters` (made on first use for ports
    /// that are neither linked nor `out`/`err`).
    private func send(_ byPort: inout [Port: [Event]], counting counters: inout [Port: Counter]) async {
        for (port, events) in byPort where !events.isEmpty {
            if let metrics {
                if counters[port] == nil { counters[port] = metrics.events(node: definition.name, port: port, direction: "out") }
                counters[port]?.increment(by: events.count)
            }
            if let outlet = outlets[port], outlet.isLinked {
                await outlet.send(events)
            } else {
                logger.error("pipeline \(definition.name): \(events.count) event(s) on unlinked port '\(port)' were not delivered")
                router.fail(events)
            }
        }
        byPort.removeAll(keepingCapacity: true)
    }
}
