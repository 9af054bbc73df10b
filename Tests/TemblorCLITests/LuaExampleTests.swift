import Foundation
import Testing

/// The Lua examples run with `temblor run` as their READMEs say and write exactly the events
/// they describe. Lua tables do not keep key order, so JSON lines are compared with their keys
/// sorted (numbers, strings and literals exactly as written).
@Suite struct LuaExampleTests {

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `temblor` off the cooperative pool with its outputs in files; a run still going
    /// after `timeout` is killed and recorded as an issue.
    func temblor(_ arguments: [String], timeout: TimeInterval = 60) async throws -> Run {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let (status, timedOut) = try await TemblorProcess.offPool { () throws -> (Int32, Bool) in
            let process = Process()
            process.executableURL = TemblorProcess.executable
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            try process.run()
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            let timedOut = process.isRunning
            if timedOut { process.terminate() }
            process.waitUntilExit()
            return (process.terminationStatus, timedOut)
        }
        let run = Run(
            status: status, stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
        if timedOut { Issue.record("temblor \(arguments.joined(separator: " ")) ran over \(timeout) s: \(run.stderr)") }
        return run
    }

    /// The lines of a JSON-lines file, each with its keys sorted.
    func jsonLines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { try CanonicalJSON.text(String($0)) }
    }

    func expected(_ lines: [String]) throws -> [String] {
        try lines.map { try CanonicalJSON.text($0) }
    }

    @Test func theGeneratorEmitsItsCountOfEventsThenEnds() async throws {
        let dir = try ExampleFixtures.copy(example: "lua-generator")
        let run = try await temblor(["run", "--stats", dir.appendingPathComponent("flow.yaml").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("produced 5, delivered 5, failed 0"), "\(run.stderr)")
        #expect(run.stderr.contains("generated 5 events"), "\(run.stderr)")
        #expect(try jsonLines(dir.appendingPathComponent("out.jsonl")) == expected([
            #"{"n":1,"message":"tick 1","even":false}"#,
            #"{"n":2,"message":"tick 2","even":true}"#,
            #"{"n":3,"message":"tick 3","even":false}"#,
            #"{"n":4,"message":"tick 4","even":true}"#,
            #"{"n":5,"message":"tick 5","even":false}"#,
        ]))
    }

    @Test func theAggregatorSendsPartialSummariesAndAFinalOneAfterItsInputEnded() async throws {
        let dir = try ExampleFixtures.copy(example: "lua-aggregate")
        let run = try await temblor(["run", "--stats", dir.appendingPathComponent("flow.yaml").path])
        #expect(run.status == 0, "\(run.stderr)")
        // Nine events in, acknowledged by the Lua sink; three summaries out of its source side.
        #expect(run.stderr.contains("produced 12, delivered 12, failed 0"), "\(run.stderr)")
        #expect(run.stderr.contains(#"temblor_acks_total{source="in"} 9"#), "\(run.stderr)")
        #expect(run.stderr.contains(#"temblor_acks_total{source="agg"} 3"#), "\(run.stderr)")
        #expect(try jsonLines(dir.appendingPathComponent("out.jsonl")) == expected([
            #"{"summary":"partial","total":4,"counts":{"info":2,"debug":1,"warn":1}}"#,
            #"{"summary":"partial","total":8,"counts":{"info":3,"debug":2,"warn":1,"error":2}}"#,
            #"{"summary":"final","total":9,"counts":{"info":3,"debug":2,"warn":1,"error":2,"none":1}}"#,
        ]))
    }

    @Test func theEnricherAddsItsConfiguredFieldsAndARunningNumber() async throws {
        let dir = try ExampleFixtures.copy(example: "lua-enrich")
        let run = try await temblor(["run", "--stats", dir.appendingPathComponent("flow.yaml").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("produced 8, delivered 8, failed 0"), "\(run.stderr)")
        #expect(run.stderr.contains("enriched 4 events"), "\(run.stderr)")
        #expect(run.stderr.contains(#"temblor_plugin_metric{connector="enrich",name="enriched"} 4"#), "\(run.stderr)")
        #expect(try jsonLines(dir.appendingPathComponent("out.jsonl")) == expected([
            #"{"level":"info","msg":"user logged in","user":"ada","host":"web-1","env":"prod","seq":1}"#,
            #"{"level":"warn","msg":"password about to expire","user":"ada","host":"web-1","env":"prod","seq":2}"#,
            #"{"level":"info","msg":"user logged out","user":"ada","host":"web-1","env":"prod","seq":3}"#,
            #"{"level":"error","msg":"disk full","host":"db-2","env":"prod","seq":4}"#,
        ]))
    }

    @Test func theRouterDropsDebugEventsAndSendsErrorsToTheirOwnPort() async throws {
        let dir = try ExampleFixtures.copy(example: "lua-router")
        let run = try await temblor(["run", "--stats", dir.appendingPathComponent("flow.yaml").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("produced 7, delivered 7, failed 0"), "\(run.stderr)")
        #expect(run.stderr.contains(#"temblor_events_total{node="main",port="errors",direction="out"} 2"#), "\(run.stderr)")
        #expect(try jsonLines(dir.appendingPathComponent("out.jsonl")) == expected([
            #"{"level":"info","msg":"service started"}"#,
            #"{"level":"info","msg":"request served","ms":12}"#,
            #"{"level":"warn","msg":"slow request","ms":950}"#,
        ]))
        #expect(try jsonLines(dir.appendingPathComponent("errors.jsonl")) == expected([
            #"{"level":"error","msg":"upstream timed out","upstream":"billing"}"#,
            #"{"level":"error","msg":"disk full"}"#,
        ]))
    }

    @Test func checkAcceptsTheLuaExamples() async throws {
        for name in ["lua-generator", "lua-aggregate", "lua-enrich", "lua-router", "lua-redis", "lua-http-poller", "lua-statsd"] {
            let run = try await temblor(["check", ExampleFixtures.examples.appendingPathComponent("\(name)/flow.yaml").path])
            #expect(run.status == 0, "\(name): \(run.stderr)")
        }
    }

    @Test func sortingKeysKeepsEverythingElseAsWritten() throws {
        #expect(try CanonicalJSON.text(#" {"b": [1, 2.0, {"d": null, "c": "x\"}"}], "a": true} "#)
            == #"{"a":true,"b":[1,2.0,{"c":"x\"}","d":null}]}"#)
        #expect(try CanonicalJSON.text(#"{"n":4.0}"#) != CanonicalJSON.text(#"{"n":4}"#))
        #expect(throws: CanonicalJSON.Malformed.self) { try CanonicalJSON.text(#"{"a":1"#) }
    }
}

/// JSON text with the keys of every object sorted and whitespace removed; numbers, strings and
/// literals stay exactly as written, so `4` and `4.0` stay different.
enum CanonicalJSON {
    struct Malformed: Error, CustomStringConvertible {
        var text: String
        var description: String { "not JSON: \(text)" }
    }

    static func text(_ text: String) throws(Malformed) -> String {
        var parser = Parser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw Malformed(text: text) }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        var text: String { String(decoding: bytes, as: UTF8.self) }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Malformed) {
            skipSpace()
            guard index < bytes.count, bytes[index] == byte else { throw Malformed(text: text) }
            index += 1
        }

        mutating func value() throws(Malformed) -> String {
            skipSpace()
            guard index < bytes.count else { throw Malformed(text: text) }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(key: String, value: String)] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return "{}"
                }
                repeat {
                    skipSpace()
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    members.append((key, try value()))
                    skipSpace()
                } while try separator(closing: UInt8(ascii: "}"))
                return "{" + members.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",") + "}"
            case UInt8(ascii: "["):
                index += 1
                var elements: [String] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return "[]"
                }
                repeat {
                    elements.append(try value())
                    skipSpace()
                } while try separator(closing: UInt8(ascii: "]"))
                return "[" + elements.joined(separator: ",") + "]"
            case UInt8(ascii: "\""):
                return try string()
            default:
                let start = index
                while index < bytes.count, !" \t\r\n,]}:".utf8.contains(bytes[index]) { index += 1 }
                guard index > start else { throw Malformed(text: text) }
                return String(decoding: bytes[start..<index], as: UTF8.self)
            }
        }

        /// After an element: true on `,`, false on `closing`.
        mutating func separator(closing: UInt8) throws(Malformed) -> Bool {
            guard index < bytes.count else { throw Malformed(text: text) }
            index += 1
            if bytes[index - 1] == UInt8(ascii: ",") { return true }
            if bytes[index - 1] == closing { return false }
            throw Malformed(text: text)
        }

        /// A string as written, quotes and escapes included.
        mutating func string() throws(Malformed) -> String {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Malformed(text: text) }
            let start = index
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { throw Malformed(text: text) }
            index += 1
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }

}

extension LuaExampleTests {
    @Test func checkLoadsAPluginAndNamesTheFileAndLineOfWhatIsWrong() async throws {
        let good = try await temblor(["check", ExampleFixtures.examples.appendingPathComponent("lua-enrich/enrich.lua").path])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("ok: plugin enrich, hooks on_drain, on_event"), "\(good.stdout)")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let broken = dir.appendingPathComponent("broken.lua")
        try "return {\n  api = 1,\n  on_event = function(ctx, e) e.x = = 1 end,\n}\n".write(to: broken, atomically: true, encoding: .utf8)
        let bad = try await temblor(["check", broken.path])
        #expect(bad.status == 2)
        // The lint reads it first, and gives the column too.
        #expect(bad.stderr.contains("broken.lua:3:37: error: unexpected symbol near '='"), "\(bad.stderr)")

        let future = dir.appendingPathComponent("future")
        try FileManager.default.createDirectory(at: future, withIntermediateDirectories: true)
        try "return { api = 2 }".write(to: future.appendingPathComponent("init.lua"), atomically: true, encoding: .utf8)
        let incompatible = try await temblor(["check", future.path])
        #expect(incompatible.status == 2)
        #expect(incompatible.stderr.contains("init.lua:1:16: error: the plugin declares api = 2, but this Temblor provides host API 1"), "\(incompatible.stderr)")
    }
}
