import ArgumentParser
import Foundation

/// `temblor flows stop ID`: drain and stop a flow; prints its final counts.
struct FlowsStopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Drain and stop a flow; prints its final counts.")

    @Argument(help: "The flow's id.")
    var id: String

    @OptionGroup var options: ApiClientOptions

    func run() async throws {
        let id = try FlowsCommand.checked(self.id)
        try await FlowsCommand.request(options, .DELETE, "/v1/flows/\(id)") { answer in
            print("stopped " + FlowsCommand.line(answer), terminator: "")
        }
    }
}
