import ArgumentParser
import TemblorCodecs
import TemblorConnectors

/// `temblor wal`: tools for the directories of `wal` connectors and disk buffers.
struct WalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Look into the write-ahead log of a wal connector or disk buffer.",
        subcommands: [WalInspectCommand.self]
    )
}

/// `temblor wal inspect DIR`: segments, records, bytes and the oldest unacknowledged record,
/// read without changing anything (also while a flow has the wal open).
struct WalInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a wal's segments, records, bytes and oldest unacknowledged record.",
        discussion: "Reads without changing anything, also while a flow has the wal open. Exit status: 0, or 1 when DIR is no readable wal."
    )

    @Argument(help: "The wal directory (a wal connector's path, or a disk buffer's).")
    var directory: String

    @Flag(name: .long, help: "Print the report as one JSON document.")
    var json = false

    func run() throws {
        let inspection: WalInspection
        do {
            inspection = try WalInspection(directory: directory)
        } catch {
            StandardError.write("temblor wal inspect: \(error)\n")
            throw ExitCode.failure
        }
        if json {
            var codec = JSONCodec()
            var bytes: [UInt8] = []
            try codec.encode(inspection.value, into: &bytes)
            print(String(decoding: bytes, as: UTF8.self))
        } else {
            print(inspection.text)
        }
    }
}
