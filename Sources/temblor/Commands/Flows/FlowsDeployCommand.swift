import ArgumentParser
import Foundation

/// `temblor flows deploy FILE`: sends a flow file to the daemon, which checks it as `temblor
/// check` does before it runs it.
struct FlowsDeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Deploy a flow file (its id: --id, else the file name without .yaml).")

    @Argument(help: "The flow file (YAML).")
    var file: String

    @Option(name: .long, help: "The flow's id (default: the file name without its extension).")
    var id: String?

    @OptionGroup var options: ApiClientOptions

    func run() async throws {
        guard let yaml = FileManager.default.contents(atPath: file) else { throw FlowsCommand.usage("cannot read \(file)") }
        let name = (file.split(separator: "/").last.map(String.init) ?? file)
        let id = try FlowsCommand.checked(self.id ?? (name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name))
        try await FlowsCommand.request(options, .POST, "/v1/flows?id=\(id)", body: yaml, type: "application/yaml") { answer in
            print("deployed " + FlowsCommand.line(answer), terminator: "")
        }
    }
}
