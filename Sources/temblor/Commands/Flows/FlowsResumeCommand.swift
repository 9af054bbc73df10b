import ArgumentParser
import Foundation

/// `temblor flows resume ID`: resume a paused flow.
struct FlowsResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused flow.")

    @Argument(help: "The flow's id.")
    var id: String

    @OptionGroup var options: ApiClientOptions

    func run() async throws {
        try await FlowsCommand.setStatus(options, id, "running", saying: "resumed")
    }
}
