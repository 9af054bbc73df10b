import ArgumentParser
import Foundation
import NIOHTTP1
import TemblorDaemon

/// `temblor flows`: the daemon's API from the command line, for people (tables) and scripts
/// (`--json`). Exit status 0 when the daemon did it, 1 when it refused or failed (or cannot be
/// reached), 2 for bad usage.
struct FlowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "List, deploy, pause, resume, reload and stop the flows of a running `temblor serve`.",
        discussion: "Exit status: 0 done, 1 refused or failed (the daemon's reason is printed), 2 bad usage.",
        subcommands: [
            FlowsListCommand.self, FlowsDeployCommand.self, FlowsStopCommand.self, FlowsPauseCommand.self,
            FlowsResumeCommand.self, FlowsReloadCommand.self,
        ]
    )

    /// Exit status 2 with `message`.
    static func usage(_ message: String) -> ExitCode {
        StandardError.write("temblor flows: \(message)\n")
        return ExitCode(2)
    }

    /// Sends one request; prints the JSON answer with `--json`, else hands it to `show`. A
    /// refusal prints the daemon's reason and exits 1.
    @discardableResult
    static func request(
        _ options: ApiClientOptions, _ method: HTTPMethod, _ path: String, body: Data? = nil, type: String = "application/json",
        show: (ApiClient.Answer) throws -> Void
    ) async throws -> ApiClient.Answer {
        let client = try options.client()
        let answer: ApiClient.Answer
        do {
            answer = try await client.send(method, path, body: body, type: type)
        } catch {
            StandardError.write("temblor flows: no answer from \(client.base): \(error)\n")
            throw ExitCode.failure
        }
        guard (200..<300).contains(answer.status) else {
            if options.json { FileHandle.standardOutput.write(answer.body + Data("\n".utf8)) }
            StandardError.write("temblor flows: \(answer.status): \(answer.errorText)\n")
            throw ExitCode.failure
        }
        if options.json {
            FileHandle.standardOutput.write(answer.body + Data("\n".utf8))
        } else {
            try show(answer)
        }
        return answer
    }

    /// A flow id as the API allows it in a path.
    static func checked(_ id: String) throws -> String {
        guard FlowRegistry.isValid(id) else {
            throw usage("'\(id)' is not a flow id: use 1 to 64 letters, digits, '-' or '_'")
        }
        return id
    }

    /// Pauses (`paused`) or resumes (`running`) flow `id` and prints what it became.
    static func setStatus(_ options: ApiClientOptions, _ id: String, _ status: String, saying verb: String) async throws {
        let id = try checked(id)
        try await request(options, .PATCH, "/v1/flows/\(id)", body: Data(#"{"status":"\#(status)"}"#.utf8)) { answer in
            print(verb + " " + line(answer), terminator: "")
        }
    }

    /// `rows` as columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// One flow's answer as a line: `ID  STATUS  in N, out N, failed N`.
    static func line(_ answer: ApiClient.Answer) -> String {
        guard let flow = answer.json as? [String: Any] else { return String(decoding: answer.body, as: UTF8.self) }
        let status = (flow["status"] as? String).map { "  " + $0 } ?? ""
        return "\(flow["id"] ?? "?")\(status)  in \(flow["events_in"] ?? 0), out \(flow["events_out"] ?? 0), failed \(flow["failed"] ?? 0)\n"
    }
}
