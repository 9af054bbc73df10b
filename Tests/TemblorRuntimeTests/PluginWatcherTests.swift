import Foundation
import Synchronization
import Testing
import TemblorRuntime

/// The plugin watcher reports `.lua` files written, renamed into place or rewritten in a burst,
/// once per settled change, and says clearly when a directory cannot be watched.
@Suite struct PluginWatcherTests {
    /// Every batch a watcher handed over, in order.
    final class Batches: Sendable {
        let received = Mutex<[Set<String>]>([])

        var all: [Set<String>] { received.withLock { $0 } }
        var union: Set<String> { all.reduce(into: []) { $0.formUnion($1) } }

        func handler() -> PluginWatcher.Handler {
            { batch in self.received.withLock { $0.append(batch) } }
        }
    }

    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("temblor-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    /// Whether `condition` holds within `limit`, checked every 10 ms.
    func eventually(within limit: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func aWrittenFileArrivesOnceWithItsPath() async throws {
        let dir = try scratch()
        let batches = Batches()
        let watcher = try PluginWatcher(handler: batches.handler())
        defer { watcher.stop() }
        try watcher.watch(directories: [dir])
        try write("return {}\n", to: dir + "/a.lua")
        #expect(await eventually { !batches.all.isEmpty })
        // Creating, writing and closing the file are one change once they settle.
        try await Task.sleep(for: .milliseconds(300))
        #expect(batches.all == [[dir + "/a.lua"]])
    }

    @Test func aFileRenamedOverTheOldOneArrivesUnderItsFinalName() async throws {
        let dir = try scratch()
        try write("return { v = 1 }\n", to: dir + "/x.lua")
        let batches = Batches()
        let watcher = try PluginWatcher(handler: batches.handler())
        defer { watcher.stop() }
        try watcher.watch(directories: [dir])
        try write("return { v = 2 }\n", to: dir + "/x.lua.tmp")
        #expect(rename(dir + "/x.lua.tmp", dir + "/x.lua") == 0)
        #expect(await eventually { batches.union.contains(dir + "/x.lua") })
        #expect(batches.union == [dir + "/x.lua"])
    }

    @Test func vimsBackupDanceArrivesAsTheFileItSaved() async throws {
        let dir = try scratch()
        try write("return { v = 1 }\n", to: dir + "/x.lua")
        let batches = Batches()
        let watcher = try PluginWatcher(handler: batches.handler())
        defer { watcher.stop() }
        try watcher.watch(directories: [dir])
        // The original becomes the backup, a new file is written, the backup goes.
        #expect(rename(dir + "/x.lua", dir + "/x.lua~") == 0)
        try write("return { v = 2 }\n", to: dir + "/x.lua")
        #expect(unlink(dir + "/x.lua~") == 0)
        #expect(await eventually { batches.union.contains(dir + "/x.lua") })
        #expect(batches.union == [dir + "/x.lua"])
    }

    @Test func aBurstOfWritesIsDebouncedIntoVeryFewBatches() async throws {
        let dir = try scratch()
        let batches = Batches()
        let watcher = try PluginWatcher(handler: batches.handler())
        defer { watcher.stop() }
        try watcher.watch(directories: [dir])
        for n in 1...20 {
            try write("return { v = \(n) }\n", to: dir + "/burst.lua")
        }
        #expect(await eventually { !batches.all.isEmpty })
        try await Task.sleep(for: .milliseconds(300))
        #expect(batches.all.count <= 3, "\(batches.all)")
        #expect(batches.union == [dir + "/burst.lua"])
    }

    @Test func namesThatAreNotLuaFilesAreIgnored() async throws {
        let dir = try scratch()
        let batches = Batches()
        let watcher = try PluginWatcher(handler: batches.handler())
        defer { watcher.stop() }
        try watcher.watch(directories: [dir])
        for name in ["notes.txt", "x.lua~", ".x.lua.swp", "x.lua.tmp", ".#x.lua", "lua"] {
            try write("-", to: dir + "/" + name)
        }
        try FileManager.default.createDirectory(atPath: dir + "/sub.lua", withIntermediateDirectories: false)
        // A marker written last: once it arrives, the ignored names had their chance.
        try write("return {}\n", to: dir + "/marker.lua")
        #expect(await eventually { batches.union.contains(dir + "/marker.lua") })
        #expect(batches.union == [dir + "/marker.lua"])
    }

    @Test func replacingTheDirectoriesStopsWatchingTheOldOnes() async throws {
        let old = try scratch()
        let new = try scratch()
        let batches = Batches()
        let watcher = try PluginWatcher(handler: batches.handler())
        defer { watcher.stop() }
        try watcher.watch(directories: [old])
        try watcher.watch(directories: [new])
        #expect(watcher.directories == [new])
        try write("return {}\n", to: old + "/a.lua")
        try write("return {}\n", to: new + "/b.lua")
        #expect(await eventually { !batches.all.isEmpty })
        try await Task.sleep(for: .milliseconds(300))
        #expect(batches.union == [new + "/b.lua"])
    }

    @Test func stopEndsTheThreadAndNothingArrivesAfterIt() async throws {
        let dir = try scratch()
        let batches = Batches()
        let watcher = try PluginWatcher(handler: batches.handler())
        try watcher.watch(directories: [dir])
        #expect(watcher.isRunning)
        watcher.stop()
        #expect(!watcher.isRunning)
        watcher.stop()  // a second stop does nothing
        try write("return {}\n", to: dir + "/late.lua")
        await watcher.finished()
        #expect(batches.all.isEmpty)
        let failure = #expect(throws: PluginWatcher.Failure.self) { try watcher.watch(directories: [dir]) }
        #expect(failure?.description == "cannot watch plugin files: the watcher is stopped")
    }

    @Test func aMissingDirectoryIsAClearErrorAndTheOthersAreStillWatched() async throws {
        let dir = try scratch()
        let missing = dir + "-absent"
        let batches = Batches()
        let watcher = try PluginWatcher(handler: batches.handler())
        defer { watcher.stop() }
        let failure = #expect(throws: PluginWatcher.Failure.self) { try watcher.watch(directories: [missing, dir]) }
        #expect(failure?.path == missing)
        #expect(failure?.errno == ENOENT)
        #expect(failure?.description == "cannot watch plugin directory \(missing): it does not exist")
        #expect(watcher.directories == [dir])
        try write("return {}\n", to: dir + "/a.lua")
        #expect(await eventually { batches.union == [dir + "/a.lua"] })

        try write("-", to: dir + "/file")
        let notDirectory = #expect(throws: PluginWatcher.Failure.self) { try watcher.watch(directories: [dir + "/file"]) }
        #expect(notDirectory?.description.contains("not a directory") == true, "\(String(describing: notDirectory))")
    }
}
