import CoreMetrics
import Logging
import TemblorLua

/// The reloadable plugins of a running flow: reloads those whose files changed (or all of them,
/// on SIGHUP or `temblor reload`), logging and counting each outcome.
public actor PluginReloader {
    private var reloadables: [any PluginReloadable] = []
    /// Reloads run one at a time, whoever asks (the watcher, SIGHUP, `temblor reload`).
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private let logger: Logger
    /// Where reloads are counted: the flow's metrics backend.
    private let metrics: any MetricsFactory

    public init(logger: Logger = Logger(label: "temblor.reload"), metrics: (any MetricsFactory)? = nil) {
        self.logger = logger
        self.metrics = metrics ?? MetricsScope.current
    }

    func add(_ reloadable: any PluginReloadable) {
        reloadables.append(reloadable)
    }

    /// The directories to watch: each plugin's own, and the folders of modules under it.
    public var directories: [String] {
        Array(Set(reloadables.flatMap { LuaPluginFiles.moduleDirectories(under: $0.pluginDirectory) })).sorted()
    }

    /// Reloads the plugins whose directory holds one of `changed` (paths of `.lua` files), or
    /// every plugin when `changed` is nil, one after another; returns what each did.
    @discardableResult
    public func reload(changed: Set<String>? = nil) async -> [PluginReloadOutcome] {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        var outcomes: [PluginReloadOutcome] = []
        for reloadable in reloadables where changed.map({ Self.touches($0, reloadable.pluginDirectory) }) ?? true {
            let outcome = await reloadable.reload()
            record(outcome)
            outcomes.append(outcome)
        }
        return outcomes
    }

    /// What each plugin runs now and how it fared, in the order the flow built them.
    public func statuses() async -> [PluginStatus] {
        var statuses: [PluginStatus] = []
        for reloadable in reloadables { statuses.append(await reloadable.status()) }
        return statuses
    }

    static func touches(_ changed: Set<String>, _ directory: String) -> Bool {
        changed.contains { path in
            guard path.hasSuffix(".lua"), let slash = path.lastIndex(of: "/") else { return false }
            let folder = path[..<slash]
            return folder == directory || folder.hasPrefix(directory + "/")
        }
    }

    private func record(_ outcome: PluginReloadOutcome) {
        let dimensions = [("node", outcome.node)]
        switch outcome.result {
        case .swapped:
            Counter(label: "temblor_lua_reloads_total", dimensions: dimensions, factory: metrics).increment()
            logger.info("\(outcome.description)")
        case .unchanged:
            logger.debug("\(outcome.description)")
        case .failed:
            Counter(label: "temblor_lua_reload_failures_total", dimensions: dimensions, factory: metrics).increment()
            logger.error("\(outcome.description)")
        }
    }
}
