import ArgumentParser
import Foundation

/// The `temblor` command line: event-processing daemon and its tools.
@main
struct Temblor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "temblor",
        abstract: "An event-processing daemon with connectors written in Lua.",
        subcommands: [RunCommand.self, ServeCommand.self, FlowsCommand.self, ReloadCommand.self, CheckCommand.self, TestCommand.self, NewCommand.self, TypesCommand.self, CodecCommand.self, WalCommand.self]
    )

    /// As `AsyncParsableCommand.main`, except that `temblor flows` exits 2 on bad usage (its
    /// documented status) rather than ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if CommandLine.arguments.dropFirst().first == "flows", exitCode(for: error) == .validationFailure {
                StandardError.write(fullMessage(for: error) + "\n")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
