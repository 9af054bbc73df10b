import ArgumentParser
import Foundation

/// `temblor flows pause ID`: pause a flow's sources; what is in flight drains.
struct FlowsPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a flow's sources; what is in flight drains.")

    @Argument(help: "The flow's id.")
    var id: String

    @OptionGroup var options: ApiClientOptions

    func run() async throws {
        let id = try FlowsCommand.checked(self.id)
        try await FlowsCommand.request(options, .PATCH, "/v1/flows/\(id)", body: Data(#"{"status":"paused"}"#.utf8)) { answer in
            print("paused " + FlowsCommand.line(answer), terminator: "")
        }
    }
}
