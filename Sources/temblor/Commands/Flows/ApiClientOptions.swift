import ArgumentParser
import Foundation

/// The options every `temblor flows` command shares: which daemon, with which token, and
/// whether to print JSON for scripts rather than tables for people.
struct ApiClientOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's API (default: $TEMBLOR_API, else http://127.0.0.1:9898).", valueName: "url"))
    var api: String?

    @Option(
        name: .long,
        help: ArgumentHelp("A file holding the API's bearer token (default: $TEMBLOR_API_TOKEN_FILE).", valueName: "file"))
    var tokenFile: String?

    @Flag(name: .long, help: "Print the API's JSON answer rather than a table.")
    var json = false

    /// The client these options name; an unreadable token file is a usage error.
    func client() throws -> ApiClient {
        let environment = ProcessInfo.processInfo.environment
        var base = api ?? environment["TEMBLOR_API"] ?? "http://127.0.0.1:9898"
        if !base.contains("://") { base = "http://" + base }
        while base.hasSuffix("/") { base.removeLast() }
        var token: String?
        if let path = tokenFile ?? environment["TEMBLOR_API_TOKEN_FILE"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw FlowsCommand.usage("cannot read the token file \(path)")
            }
            token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return ApiClient(base: base, token: token)
    }
}
