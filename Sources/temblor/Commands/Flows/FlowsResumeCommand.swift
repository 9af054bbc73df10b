import ArgumentParser
import Foundation

/// `temblor flows resume ID`: resume a paused flow.
struct FlowsResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused flow.")

    @Argument(help: "The flow's id.")
    var id: String

    @OptionGroup var options: ApiClientOptions

    func run() async throws {
        let id = try FlowsCommand.checked(self.id)
        try await FlowsCommand.request(options, .PATCH, "/v1/flows/\(id)", body: Data(#"{"status":"running"}"#.utf8)) { answer in
            print("resumed " + FlowsCommand.line(answer), terminator: "")
        }
    }
}
