import Foundation
import Logging
import NIOCore
import NIOPosix
import TemblorConnectors
import TemblorLua
import TemblorValue

/// Sessions and small helpers shared by the host I/O tests.
enum LuaIOFixtures {
    /// A session of connector `test` with these grants and limits.
    static func session(
        net: [String] = [], read: [String] = [], write: [String] = [], directory: String = "/", limits: LuaLimits = LuaLimits(ioTimeoutMs: 5_000),
        config: Value = .null
    ) throws -> any LuaHostIO {
        var allow = Object()
        allow["net"] = .array(net.map { .string($0) })
        allow["read"] = .array(read.map { .string($0) })
        allow["write"] = .array(write.map { .string($0) })
        let capabilities = try LuaCapabilities(.object(allow), directory: directory)
        return LuaIOProvider().session(connector: "test", capabilities: capabilities, limits: limits, config: config, logger: Logger(label: "test"))
    }

    /// A port on 127.0.0.1 nothing listens on (bound, read, closed again).
    static func unusedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// A UDP port on 127.0.0.1 nothing is bound to.
    static func unusedUDPPort() async throws -> Int {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// The handle in a result that opened something.
    static func handle(_ result: LuaIOResult) -> Int? {
        guard case .values(let values) = result, values.count == 1, case .int(let handle) = values[0] else { return nil }
        return Int(handle)
    }

    static func bytes(_ text: String) -> LuaIOResult { .values([.bytes(Array(text.utf8))]) }

    /// The failure's message, or nil for a success.
    static func failure(_ result: LuaIOResult) -> String? {
        if case .failure(let message) = result { return message }
        return nil
    }

    /// A fresh directory with symbolic links resolved (so that expected messages match).
    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.resolvingSymlinksInPath().path
    }
}
