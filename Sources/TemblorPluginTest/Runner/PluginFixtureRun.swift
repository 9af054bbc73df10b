import Foundation
import TemblorCodecs
import TemblorLua
import TemblorRuntime
import TemblorValue

/// A test without Lua code: the events of `input.jsonl` go through the plugin (or its source
/// runs), and what it emitted must be `expected.jsonl`, line by line.
struct PluginFixtureRun {
    let plugin: String
    let directory: String
    let libraryRoots: [String]
    let provider: (any LuaHostIOProvider)?

    func run(into report: inout TAPReport) {
        let name = "fixtures \(directory)"
        report.file("\(plugin) with \(name)")
        let script: LuaScriptState
        let instance: PluginUnderTest
        let input: [Value]?
        let expected: [Value]
        do {
            var options = try Self.object(at: directory + "/options.json") ?? .object(Object())
            if let config = try Self.object(at: directory + "/config.json"), case .object(var object) = options {
                object["config"] = config
                options = .object(object)
            }
            guard let lines = try Self.lines(at: directory + "/expected.jsonl") else {
                throw PluginTestError("\(directory)/expected.jsonl: no such file (a fixture holds input.jsonl and expected.jsonl)")
            }
            expected = lines
            input = try Self.lines(at: directory + "/input.jsonl")
            script = try LuaScriptState(memoryLimit: PluginTestFile.memoryLimit, requireRoots: libraryRoots)
            try script.run("require(\"temblor.test\")", name: "fixtures")
            let cwd = LuaLibrary.absolute(".")
            let spec = try PluginTestSpec(path: plugin, options: options, directory: cwd)
            instance = try PluginUnderTest(spec: spec, testDirectory: cwd, libraryRoots: libraryRoots, provider: provider) { request throws(LuaError) in
                try script.call("io", [request]).first ?? .null
            }
        } catch let error as PluginTestError {
            report.notLoaded(name, message: error.message)
            return
        } catch {
            report.notLoaded(name, message: "\(error)")
            return
        }
        defer { instance.finish() }
        var problems: [String] = []
        if let input {
            for (number, line) in input.enumerated() {
                let (payload, meta) = Self.event(line)
                if let failure = instance.feed(payload, meta: meta) { problems.append("input.jsonl line \(number + 1) failed: \(failure)") }
            }
        } else if instance.plugin.hasSource {
            do {
                _ = try instance.runSource(events: expected.count, ms: nil)
            } catch {
                problems.append(error.message)
            }
        } else {
            report.notLoaded(name, message: "\(directory) has no input.jsonl, and the plugin has no source to run")
            return
        }
        let actual = zip(instance.emitted, expected).map(Self.projected) + instance.emitted.dropFirst(expected.count)
        let wanted = expected.map(Self.expectation)
        if instance.emitted.count != expected.count {
            problems.append("emitted \(instance.emitted.count) events, expected.jsonl has \(expected.count)")
        }
        do {
            if let differences = try script.call("compare", [.array(actual), .array(wanted)]).first?.stringValue, !differences.isEmpty {
                problems.append(differences)
            }
        } catch {
            problems.append("comparing: \(error)")
        }
        if problems.isEmpty {
            report.pass(name)
        } else {
            report.fail(name, message: problems.joined(separator: "\n"), logs: PluginTestFile.lines(of: instance))
        }
    }

    /// A line shaped `{"payload": ..., "meta": {...}}` is an event; any other is the payload.
    static func event(_ line: Value) -> (Value, Value) {
        guard case .object(let object) = line, object["payload"] != nil,
              object.allSatisfy({ ["payload", "meta", "port"].contains($0.key) })
        else { return (line, .object(Object())) }
        return (object["payload"] ?? .null, object["meta"] ?? .object(Object()))
    }

    static func expectation(_ line: Value) -> Value {
        let (payload, _) = event(line)
        var object: Object = ["payload": payload]
        if case .object(let given) = line, given["payload"] != nil {
            if let meta = given["meta"] { object["meta"] = meta }
            if let port = given["port"] { object["port"] = port }
        }
        return .object(object)
    }

    /// What was emitted, with only the parts the expected line speaks of (and a port that is
    /// not `out`, always).
    static func projected(_ emitted: Value, _ line: Value) -> Value {
        let expected = expectation(line)
        var object: Object = ["payload": emitted["payload"] ?? .null]
        if expected["meta"] != nil { object["meta"] = emitted["meta"] ?? .object(Object()) }
        if let port = emitted["port"] { object["port"] = port }
        return .object(object)
    }

    /// The one JSON object a file holds (it may span lines); `nil` when there is no file.
    private static func object(at path: String) throws(PluginTestError) -> Value? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw PluginTestError("\(path): cannot be read") }
        let value: Value
        do {
            var codec = try CodecRegistry.standard.makeCodec("json")
            value = try codec.decode([UInt8](data))
        } catch {
            throw PluginTestError("\(path): \(error)")
        }
        guard case .object = value else { throw PluginTestError("\(path): must hold one JSON object") }
        return value
    }

    /// The JSON documents of a file, one per non-empty line; `nil` when there is no file.
    private static func lines(at path: String) throws(PluginTestError) -> [Value]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw PluginTestError("\(path): cannot be read") }
        var codec: any Codec
        do { codec = try CodecRegistry.standard.makeCodec("json") } catch { throw PluginTestError("\(error)") }
        var values: [Value] = []
        let text = [UInt8](data)
        var number = 0
        for line in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { continue }
            do throws(CodecError) {
                values.append(try codec.decode(Array(line)))
            } catch {
                throw PluginTestError("\(path):\(number): \(error)")
            }
        }
        return values
    }
}
