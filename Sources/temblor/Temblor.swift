import ArgumentParser

/// The `temblor` command line: event-processing daemon and its tools.
@main
struct Temblor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "temblor",
        abstract: "An event-processing daemon with connectors written in Lua.",
        subcommands: [RunCommand.self, ReloadCommand.self, CheckCommand.self, CodecCommand.self]
    )
}
