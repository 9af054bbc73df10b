import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing

/// What the clients of one trial share: the requests answered 202, and when to stop.
final class CrashTrial: Sendable {
    let accepted = Mutex<Set<String>>([])
    let stop = Atomic<Bool>(false)
}

/// The wal's promise, tested by killing the process: an HTTP endpoint answers 202 only once the
/// wal has the request on disk, so every request that got a 202 reaches the sink, across SIGKILLs.
@Suite(.serialized) struct WalCrashTests {
    static let flow = """
        connectors:
          web:
            type: http_server
            config: { url: "127.0.0.1:0" }
          spool:
            type: wal
            config: { path: wal, segment_bytes: 65536 }
          slow:
            type: lua
            plugin: slow.lua
            allow: { write: [received.log] }
        links:
          - web -> spool
          - spool -> slow
        """

    /// A sink ten times slower than the endpoint: a millisecond per event, then one line per event.
    static let plugin = """
        local temblor = require("temblor")
        return {
          api = 1,
          on_event = function(ctx, event, meta)
            ctx:sleep(1)
            local n, err = temblor.fs.append("received.log", event.trial .. ":" .. event.client .. ":" .. event.n .. "\\n")
            if not n then error(err) end
          end,
        }
        """

    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-wal-crash-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try flow.write(toFile: dir + "/flow.yaml", atomically: true, encoding: .utf8)
        try plugin.write(toFile: dir + "/slow.lua", atomically: true, encoding: .utf8)
        return dir
    }

    static func start(_ dir: String) async throws -> DaemonProcess {
        try await DaemonProcess(["run", dir + "/flow.yaml", "--control", "none"], directory: dir)
    }

    /// Each line of received.log, counted.
    static func received(_ dir: String) -> [String: Int] {
        let text = (try? String(contentsOfFile: dir + "/received.log", encoding: .utf8)) ?? ""
        var counts: [String: Int] = [:]
        for line in text.split(separator: "\n") { counts[String(line), default: 0] += 1 }
        return counts
    }

    /// POSTs `{trial, client, n}` from `clients` concurrent clients until one fails to connect
    /// (the process was killed) or `stop` is set; the requests answered 202 go into `state`.
    static func post(to url: String, trial: Int, clients: Int, into state: CrashTrial) async {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 10
        let session = URLSession(configuration: configuration)
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var n = 0
                    while !state.stop.load(ordering: .relaxed) {
                        var request = URLRequest(url: URL(string: url + "/ingest")!)
                        request.httpMethod = "POST"
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        request.httpBody = Data(#"{"trial":\#(trial),"client":\#(client),"n":\#(n)}"#.utf8)
                        guard let (_, response) = try? await session.data(for: request) else { return }
                        if (response as? HTTPURLResponse)?.statusCode == 202 {
                            _ = state.accepted.withLock { $0.insert("\(trial):\(client):\(n)") }
                        }
                        n += 1
                    }
                }
            }
        }
        session.invalidateAndCancel()
    }

    @Test func everyRequestAnswered202SurvivesSIGKILLAtFivePoints() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var daemon = try await Self.start(dir)
        var allAccepted: Set<String> = []
        // Kill after this many 202s, so that the crash lands at a different point each time.
        for (trial, killAfter) in [20, 60, 150, 300, 500].enumerated() {
            let state = CrashTrial()
            let url = daemon.url
            let clients = Task { await Self.post(to: url, trial: trial, clients: 8, into: state) }
            let reached = await eventually(within: .seconds(60)) { state.accepted.withLock { $0.count } >= killAfter }
            #expect(reached, "trial \(trial): only \(state.accepted.withLock { $0.count }) requests were accepted")
            daemon.signal(SIGKILL)
            _ = try await daemon.stop(signal: SIGKILL)
            state.stop.store(true, ordering: .relaxed)
            await clients.value
            let trialAccepted = state.accepted.withLock { $0 }
            allAccepted.formUnion(trialAccepted)
            let before = Self.received(dir)
            // Restart on the same directory: what was accepted and not delivered is replayed.
            daemon = try await Self.start(dir)
            let complete = await eventually(within: .seconds(60)) {
                let received = Self.received(dir)
                return allAccepted.allSatisfy { received[$0] != nil }
            }
            let received = Self.received(dir)
            let missing = allAccepted.filter { received[$0] == nil }
            #expect(complete, "trial \(trial): \(missing.count) accepted requests never reached the sink, such as \(missing.prefix(5))")
            let duplicates = received.values.reduce(0) { $0 + $1 - 1 }
            let undeliveredAtKill = trialAccepted.filter { before[$0] == nil }.count
            print(
                "wal crash test: trial \(trial): killed after \(trialAccepted.count) accepted requests, \(undeliveredAtKill) not yet at the sink; after the restart all \(allAccepted.count) so far are there, \(duplicates) duplicates in total")
        }
        let status = try await daemon.stop()
        #expect(status == 0, "\(daemon.stderr)")
        // The wal holds nothing undelivered once the last run drained.
        let inspect = try await TemblorProcess.run(["wal", "inspect", dir + "/wal", "--json"])
        #expect(inspect.status == 0)
        let report = try JSONSerialization.jsonObject(with: inspect.stdout) as? [String: Any]
        #expect(report?["unacknowledged"] as? Int == 0, "\(inspect.stdoutText)")
    }

    @Test func aSecondProcessOnTheSameWalIsRefusedWithTheReason() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try await Self.start(dir)
        let second = try await TemblorProcess.run(["run", dir + "/flow.yaml", "--control", "none"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("the wal directory \(dir)/wal is in use by process \(first.pid)"), "\(second.stderr)")
        #expect(second.stderr.contains("give each its own path"))
        // The first goes on serving.
        var request = URLRequest(url: URL(string: first.url + "/x")!)
        request.httpMethod = "POST"
        request.httpBody = Data(#"{"trial":0,"client":0,"n":0}"#.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 202)
        #expect(try await first.stop() == 0)
    }
}
