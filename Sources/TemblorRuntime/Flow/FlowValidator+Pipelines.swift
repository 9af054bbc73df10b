import TemblorValue

extension FlowValidator {
    /// Builds each operator of a pipeline as a running pipeline would, reporting why one fails;
    /// returns the extra output ports the operators emit on, and whether every operator was built.
    func validate(_ pipeline: PipelineDefinition, into errors: inout [FlowError]) -> (extraPorts: [Port], allBuilt: Bool) {
        var extraPorts: [Port] = []
        var allBuilt = true
        for definition in pipeline.operators {
            do {
                let instance = try catalog.operators.make(definition.name, config: definition.config)
                extraPorts.append(contentsOf: instance.extraPorts)
            } catch {
                allBuilt = false
                let message: String
                if case .unknown(let name, let known) = error {
                    message = NameSuggestion.message(
                        "unknown operator '\(name)' in pipeline '\(pipeline.name)'", name: name,
                        known: known, knownLabel: "known operators"
                    )
                } else {
                    message = "pipeline '\(pipeline.name)': \(error)"
                }
                errors.append(FlowError(message, at: definition.location))
            }
        }
        return (extraPorts, allBuilt)
    }
}
