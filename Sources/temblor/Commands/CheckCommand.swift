import ArgumentParser
import TemblorConnectors
import TemblorRuntime

/// `temblor check FLOW.yaml`: validates a flow without running it, printing every problem as
/// `file:line:column: message`.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a flow file without running it.",
        discussion: "Exit status: 0 when the flow is valid, 2 when it has errors."
    )

    @Argument(help: "The flow file (YAML).")
    var flow: String

    func run() throws {
        do {
            _ = try FlowLoader.load(flow)
        } catch {
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        }
        print("\(flow): ok")
    }
}
