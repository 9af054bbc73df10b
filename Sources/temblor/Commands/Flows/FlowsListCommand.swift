import ArgumentParser
import Foundation

/// `temblor flows list`: every flow with its status and counts.
struct FlowsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the daemon's flows.")

    @OptionGroup var options: ApiClientOptions

    func run() async throws {
        try await FlowsCommand.request(options, .GET, "/v1/flows") { answer in
            let flows = (answer.json as? [[String: Any]]) ?? []
            let rows = flows.map { flow -> [String] in
                let started = (flow["started_at"] as? Double).map {
                    Date(timeIntervalSince1970: $0).formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
                } ?? ""
                return ["\(flow["id"] ?? "")", "\(flow["status"] ?? "")", started, "\(flow["events_in"] ?? 0)", "\(flow["events_out"] ?? 0)",
                    "\(flow["failed"] ?? 0)", (flow["error"] as? String).map { $0.split(separator: "\n").first.map(String.init) ?? "" } ?? ""]
            }
            print(FlowsCommand.table(["ID", "STATUS", "STARTED", "IN", "OUT", "FAILED", "ERROR"], rows), terminator: "")
        }
    }
}
