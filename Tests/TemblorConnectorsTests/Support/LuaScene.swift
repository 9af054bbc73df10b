import Foundation
import Synchronization
import Testing
import TemblorCodecs
import TemblorConnectors
import TemblorLua
import TemblorRuntime
import TemblorValue

/// A directory holding one test's flow: plugins, inputs and outputs.
struct Scene: Sendable {
    let dir: String

    init() throws {
        dir = try FlowFixtures.temporaryDirectory()
        try writeEvents("calm.jsonl", count: LuaHostilePluginTests.calmCount)
    }

    func write(_ name: String, _ text: String) throws {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// `count` lines `{"n":1}`, `{"n":2}`...
    func writeEvents(_ name: String, count: Int) throws {
        try write(name, (1...count).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n")
    }

    /// The finite source a hostile sink is fed from.
    func writeFeed() throws {
        try writeEvents("feed.jsonl", count: LuaHostilePluginTests.feedCount)
    }

    /// The lines of an output file, none when it does not exist.
    func lines(_ name: String) -> [String] {
        guard let text = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Every event of the well-behaved neighbour arrived, in order.
    func expectCalmDelivered(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let expected = (1...LuaHostilePluginTests.calmCount).map { #"{"n":\#($0)}"# }
        #expect(lines("calm_out.jsonl") == expected, sourceLocation: sourceLocation)
    }

    /// The report of a run where the neighbour delivered everything and the hostile side
    /// delivered `hostileAcked` and failed `hostileFailed` events.
    func expected(hostileAcked: Int = 0, hostileFailed: Int = 0) -> FlowReport {
        let calm = LuaHostilePluginTests.calmCount
        return FlowReport(produced: calm + hostileAcked + hostileFailed, acked: calm + hostileAcked, failed: hostileFailed)
    }

    /// A flow with the neighbour `calm_in -> calm_out` besides the given connectors, pipelines and links.
    func flow(connectors: String, pipelines: String = "", links: [String]) -> String {
        """
        connectors:
          calm_in: { type: file, config: { path: calm.jsonl } }
          calm_out: { type: file, config: { path: calm_out.jsonl, mode: truncate } }
        \(connectors)
        \(pipelines.isEmpty ? "" : "pipelines:\n" + pipelines)
        links:
          - calm_in -> calm_out
        \(links.map { "  - \($0)" }.joined(separator: "\n"))
        """
    }

    /// `feed` (a finite file source) into a hostile Lua sink. Retries of connect are quick so
    /// that a plugin that cannot connect meets its fault policy soon.
    func flowWithHostileSink(plugin: String = "hostile.lua", limits: String = LuaHostilePluginTests.tight) -> String {
        flow(
            connectors: """
              feed: { type: file, config: { path: feed.jsonl } }
              hostile: { type: lua, plugin: \(plugin), limits: \(limits), reconnect: { initial_ms: 10, max_ms: 20 } }
            """,
            links: ["feed -> hostile"])
    }

    func runWithHostileSink(limits: String = LuaHostilePluginTests.tight, validate: Bool = true, writeFeed: Bool = true) async throws -> FlowReport {
        if writeFeed { try self.writeFeed() }
        return try await run(flowWithHostileSink(limits: limits), validate: validate)
    }

    /// A hostile Lua source into `hostile_out.jsonl`.
    func runWithHostileSource(limits: String = LuaHostilePluginTests.tight) async throws -> FlowReport {
        let yaml = flow(
            connectors: """
              hostile: { type: lua, plugin: hostile.lua, limits: \(limits), reconnect: { initial_ms: 10, max_ms: 20 } }
              hostile_out: { type: file, config: { path: hostile_out.jsonl, mode: truncate } }
            """,
            links: ["hostile -> hostile_out"])
        return try await run(yaml)
    }

    var catalog: FlowCatalog {
        FlowCatalog(connectorTypes: ConnectorRegistry.standard.infos, codecs: .standard, operators: OperatorRegistry.standard.withLua(directory: dir))
    }

    func validationErrors(_ yaml: String) throws -> [FlowError] {
        let flow = try FlowParser.parse(yaml: yaml, file: dir + "/flow.yaml")
        return FlowValidator(catalog: catalog).validate(flow)
    }

    /// Parses, validates and runs `yaml`, failing the test if the run does not end in 30 s.
    func run(_ yaml: String, validate: Bool = true) async throws -> FlowReport {
        let flow = try FlowParser.parse(yaml: yaml, file: dir + "/flow.yaml")
        if validate {
            let errors = FlowValidator(catalog: catalog).validate(flow)
            try #require(errors.isEmpty, "\(errors)")
        }
        let runner = FlowRunner(flow: flow, directory: dir, connectors: .standard, operators: OperatorRegistry.standard.withLua(directory: dir))
        return try await within(seconds: 30, onTimeout: { runner.stop() }) { try await runner.run() }
    }

    /// Loads `name` from this directory with `limits`, as a connector would.
    func plugin(_ name: String, limits: LuaLimits = LuaHostilePluginTests.tightLimits) throws(LuaError) -> LuaPlugin {
        try LuaPlugin(path: dir + "/" + name, instance: "hostile", limits: limits)
    }

    /// How `on_event` of `name` fails for `event` (`nil` when it does not), within 10 s.
    func failure(of name: String, limits: LuaLimits = LuaHostilePluginTests.tightLimits, event: Value = ["n": 1]) async throws -> LuaError? {
        try await offThread(seconds: 10) { () -> LuaError? in
            let plugin = try self.plugin(name, limits: limits)
            do throws(LuaError) {
                _ = try plugin.deliver(event, meta: .null)
                return nil
            } catch {
                return error
            }
        }
    }

    /// A plugin (a directory, so that `require` has a root) that runs each event's `code`, and a
    /// module outside that directory which a symlink inside points to.
    func writeEscapePlugin() throws {
        try write("escape/init.lua", """
            return { api = 1, on_event = function(ctx, event)
              local chunk = assert(load(event.code, "=attempt", "t", setmetatable({ ctx = ctx }, { __index = _G })))
              return chunk()
            end }
            """)
        try write("elsewhere/outside.lua", "return { reached = true }")
        try FileManager.default.createSymbolicLink(atPath: dir + "/escape/outside.lua", withDestinationPath: dir + "/elsewhere/outside.lua")
    }
}

/// A run or call that did not end in time: a hang is a failure, never a wait.
struct DidNotEnd: Error, CustomStringConvertible {
    let seconds: Int
    var description: String { "did not end within \(seconds) s" }
}

/// Runs `body` on a thread of its own and returns its result, or throws `DidNotEnd` after
/// `seconds`: a call stuck in C then holds that thread only, never one of the test pool's.
func offThread<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    let pending = Pending<T>()
    return try await withCheckedThrowingContinuation { continuation in
        pending.continuation.withLock { $0 = continuation }
        let deadline = Task {
            try await Task.sleep(for: .seconds(seconds))
            pending.continuation.withLock { $0.take() }?.resume(throwing: DidNotEnd(seconds: seconds))
        }
        let thread = Thread {
            let result = Result { try body() }
            deadline.cancel()
            pending.continuation.withLock { $0.take() }?.resume(with: result)
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// The one result of a race between work and its deadline.
final class Pending<T: Sendable>: Sendable {
    let continuation = Mutex<CheckedContinuation<T, any Error>?>(nil)
}

/// Runs `body` and returns its result, or throws `DidNotEnd` after `seconds` (calling `onTimeout`
/// first), without waiting for a body that may be stuck.
func within<T: Sendable>(
    seconds: Int, onTimeout: @escaping @Sendable () -> Void = {}, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let pending = Pending<T>()
    return try await withCheckedThrowingContinuation { continuation in
        pending.continuation.withLock { $0 = continuation }
        let deadline = Task {
            try await Task.sleep(for: .seconds(seconds))
            guard let continuation = pending.continuation.withLock({ $0.take() }) else { return }
            onTimeout()
            continuation.resume(throwing: DidNotEnd(seconds: seconds))
        }
        Task {
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            deadline.cancel()
            pending.continuation.withLock { $0.take() }?.resume(with: result)
        }
    }
}
