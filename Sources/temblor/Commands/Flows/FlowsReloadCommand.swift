import ArgumentParser
import Foundation

/// `temblor flows reload [ID]`: reloads the Lua plugins of one flow, or of every flow, and prints
/// the report `temblor reload` prints; exit 1 when a reload failed (the old version runs on).
struct FlowsReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload", abstract: "Reload the Lua plugins of a flow, or of every flow.")

    @Argument(help: "The flow's id (default: every flow).")
    var id: String?

    @OptionGroup var options: ApiClientOptions

    func run() async throws {
        let path = try id.map { "/v1/flows/\(try FlowsCommand.checked($0))/reload" } ?? "/v1/reload"
        let answer = try await FlowsCommand.request(options, .POST, path) { answer in
            for line in ((answer.json as? [String: Any])?["report"] as? [String]) ?? [] { print(line) }
        }
        if ((answer.json as? [String: Any])?["failed"] as? Int ?? 0) > 0 { throw ExitCode.failure }
    }
}
