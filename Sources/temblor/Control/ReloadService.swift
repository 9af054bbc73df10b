import Logging
import ServiceLifecycle
import Synchronization
import TemblorRuntime
import UnixSignals

/// Reloads the flow's Lua plugins while it runs: when their files change (if watching), on
/// SIGHUP, and on `temblor reload` through the control socket (DESIGN §5). Runs until the group
/// shuts down, after the flow, so that reloads work while the flow drains.
final class ReloadService: Service, Sendable {
    private let reloader: PluginReloader
    private let watch: Bool
    private let server: ControlServer?
    private let hangups: UnixSignalsSequence
    private let logger: Logger
    /// The directories last asked of the watcher, so that one that cannot be watched is
    /// reported once, not at every reload.
    private let watched = Mutex<[String]>([])

    /// How often and how long to look for the flow's plugin directories once it started.
    static let directoryPoll = Duration.milliseconds(100)
    static let directoryWait = Duration.seconds(5)

    /// `hangups` is created (and SIGHUP trapped) before the flow starts, so an early SIGHUP
    /// cannot end the process.
    init(reloader: PluginReloader, watch: Bool, server: ControlServer?, hangups: UnixSignalsSequence, logger: Logger) {
        self.reloader = reloader
        self.watch = watch
        self.server = server
        self.hangups = hangups
        self.logger = logger
    }

    func run() async throws {
        let watcher = watch ? makeWatcher() : nil
        await withDiscardingTaskGroup { group in
            if let server {
                group.addTask {
                    await server.serve(logger: self.logger) {
                        await self.refresh(watcher)
                        return await self.reloader.reload(changed: nil)
                    }
                }
            }
            if let watcher {
                group.addTask { await self.findDirectories(watcher) }
            }
            group.addTask {
                for await _ in self.hangups {
                    self.logger.info("SIGHUP: reloading every plugin")
                    await self.refresh(watcher)
                    await self.reloader.reload(changed: nil)
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
        watcher?.stop()
        await watcher?.finished()
        await server?.close()
    }

    private func makeWatcher() -> PluginWatcher? {
        let reloader = self.reloader
        do {
            return try PluginWatcher(logger: logger) { changed in
                await reloader.reload(changed: changed)
            }
        } catch {
            logger.warning("\(error); plugins reload on SIGHUP and `temblor reload` only")
            return nil
        }
    }

    /// The plugin directories are known once the flow built its nodes: looks for them until
    /// some appear (a flow without Lua plugins has none).
    private func findDirectories(_ watcher: PluginWatcher) async {
        let clock = ContinuousClock()
        let deadline = clock.now + Self.directoryWait
        while clock.now < deadline, !Task.isCancelled {
            if await refresh(watcher) { return }
            try? await Task.sleep(for: Self.directoryPoll)
        }
    }

    /// Watches the reloader's directories now; true when there are any.
    @discardableResult
    private func refresh(_ watcher: PluginWatcher?) async -> Bool {
        guard let watcher else { return false }
        let directories = await reloader.directories
        let changed = watched.withLock { watched in
            defer { watched = directories }
            return watched != directories
        }
        if changed {
            do {
                try watcher.watch(directories: directories)
                if !directories.isEmpty {
                    logger.debug("watching plugin directories: \(directories.joined(separator: ", "))")
                }
            } catch {
                logger.warning("\(error)")
            }
        }
        return !directories.isEmpty
    }
}
