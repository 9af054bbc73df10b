import ArgumentParser
import Foundation

/// `temblor flows pause ID`: pause a flow's sources; what is in flight drains.
struct FlowsPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a flow's sources; what is in flight drains.")

    @Argument(help: "The flow's id.")
    var id: String

    @OptionGroup var options: ApiClientOptions

    func run() async throws {
        try await FlowsCommand.setStatus(options, id, "paused", saying: "paused")
    }
}
