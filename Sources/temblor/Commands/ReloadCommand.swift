import ArgumentParser

/// `temblor reload`: asks the running daemon to reload every Lua plugin and prints what each
/// did, so a changed plugin can be rolled out without a restart (DESIGN §5).
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload the Lua plugins of a running `temblor run`.",
        discussion: """
            Prints one line per plugin, then `ok N swapped, M unchanged, K failed`. Exit status: \
            0 when no reload failed, 1 when one did (its old version keeps running), 2 when no \
            daemon answers on the control socket.
            """
    )

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's control socket (default: $TEMBLOR_CONTROL, else ${XDG_RUNTIME_DIR:-/tmp}/temblor-<uid>.sock).",
            valueName: "path"))
    var control: String?

    func run() throws {
        guard let path = ControlPath.resolve(control) else {
            StandardError.write("temblor reload: the control socket is disabled (\(ControlPath.disabled)); name one with --control PATH\n")
            throw ExitCode(2)
        }
        let reply: String
        do {
            reply = try ControlClient.send(ControlProtocol.reload, to: path)
        } catch {
            StandardError.write("temblor reload: \(error)\n")
            throw ExitCode(2)
        }
        print(reply, terminator: "")
        let lines = reply.split(separator: "\n")
        guard let last = lines.last, let summary = ControlProtocol.summary(last) else {
            StandardError.write("temblor reload: the daemon on \(path) sent no summary line\n")
            throw ExitCode(2)
        }
        if summary.failed > 0 { throw ExitCode.failure }
    }
}
