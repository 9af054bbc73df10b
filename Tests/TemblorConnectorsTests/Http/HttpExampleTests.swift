import Foundation
import Testing
import TemblorConnectors
import TemblorRuntime
import TemblorValue

#if canImport(Glibc)
import Glibc
#endif

/// The web examples that `examples/` ships, run as their flows say (on free ports of
/// 127.0.0.1) against real clients.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HttpExampleTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    /// A port that was free a moment ago on 127.0.0.1.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        try #require(bound, "cannot bind a probe socket")
        return boundPort(fd)
    }

    /// A copy of `example` in a fresh directory, its flow's `replacements` made; runs it.
    func start(_ example: String, replacing replacements: [(String, String)]) async throws -> (RunningFlow, String) {
        let dir = try FlowFixtures.temporaryDirectory()
        let source = Self.examples.appendingPathComponent(example)
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(atPath: source.appendingPathComponent(name).path, toPath: dir + "/" + name)
        }
        var text = try String(contentsOfFile: dir + "/flow.yaml", encoding: .utf8)
        for (from, to) in replacements {
            #expect(text.contains(from), "the example's flow no longer says \(from)")
            text = text.replacingOccurrences(of: from, with: to)
        }
        let flow = try FlowParser.parse(yaml: text, file: dir + "/flow.yaml")
        let errors = FlowValidator(catalog: FlowCatalog(connectorTypes: ConnectorRegistry.standard.infos, codecs: .standard, operators: OperatorRegistry.standard.withLua(directory: dir))).validate(flow)
        try #require(errors.isEmpty, "\(errors)")
        let running = RunningFlow(flow, registry: .standard, operators: OperatorRegistry.standard.withLua(directory: dir), directory: dir)
        return (running, dir)
    }

    func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func webhookToFileAnswers202OnlyOnceTheEventIsInTheFile() async throws {
        let port = try Self.freePort()
        let (running, dir) = try await start("webhook-to-file", replacing: [("127.0.0.1:8080", "127.0.0.1:\(port)")])
        let client = HttpTestClient.make()
        try await waitUntil { (try? TestSocket.connect(port: port))?.close() != nil }
        for n in 0..<20 {
            let answer = try await HttpTestClient.send(client, "http://127.0.0.1:\(port)/hooks/github", body: #"{"n":\#(n)}"#)
            #expect(answer.status == 202)
            // 202 means written: the line is already there.
            #expect(lines(dir + "/events.jsonl").count == n + 1)
        }
        let bulk = try await HttpTestClient.send(
            client, "http://127.0.0.1:\(port)/bulk", body: "{\"b\":1}\n{\"b\":2}\n", headers: [("Content-Type", "application/x-ndjson")])
        #expect(bulk.status == 202)
        let bad = try await HttpTestClient.send(client, "http://127.0.0.1:\(port)/hooks", body: "{oops")
        #expect(bad.status == 400)
        #expect(lines(dir + "/events.jsonl") == (0..<20).map { #"{"n":\#($0)}"# } + [#"{"b":1}"#, #"{"b":2}"#])
        try await client.shutdown()
        let report = try await running.stop()
        #expect(report == FlowReport(produced: 23, acked: 22, failed: 1))
    }

    @Test func httpEnrichWritesTheServicesAnswerForEveryEvent() async throws {
        let port = try Self.freePort()
        let (running, dir) = try await start("http-enrich", replacing: [("127.0.0.1:8081", "127.0.0.1:\(port)")])
        try await waitUntil(seconds: 20) { self.lines(dir + "/out.jsonl").count >= 3 }
        let report = try await running.stop()
        let answers = try lines(dir + "/out.jsonl").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let byId = Dictionary(uniqueKeysWithValues: answers.map { ($0["id"] as! Int, $0) })
        #expect(byId[1]?["owner"] as? String == "storefront")
        #expect(byId[2]?["owner"] as? String == "platform")
        #expect(byId[3]?["owner"] as? String == "unknown")
        #expect(byId[3]?["msg"] as? String == "evictions")
        #expect(report.failed == 0)
        #expect(report.produced == report.acked)
    }

    @Test func httpEchoAnswersEachRequestWithTheStatusTheLuaOperatorSets() async throws {
        let port = try Self.freePort()
        let (running, _) = try await start("http-echo", replacing: [("127.0.0.1:8080", "127.0.0.1:\(port)")])
        let client = HttpTestClient.make()
        try await waitUntil { (try? TestSocket.connect(port: port))?.close() != nil }
        let created = try await HttpTestClient.send(client, "http://127.0.0.1:\(port)/echo?status=201", body: #"{"hello":"world"}"#)
        #expect(created.status == 201)
        #expect(created.body == #"{"hello":"world"}"#)
        #expect(created.headers["x-answered-by"].first == "temblor")
        #expect(created.headers["content-type"].first == "application/json")
        let plain = try await HttpTestClient.send(client, "http://127.0.0.1:\(port)/echo", body: "hi", headers: [("Content-Type", "text/plain")])
        #expect(plain.status == 200)
        #expect(plain.body == "hi")
        try await client.shutdown()
        #expect(try await running.stop() == FlowReport(produced: 2, acked: 2, failed: 0))
    }
}
