/// What a running Lua plugin is and how it fared, for the daemon's API and its status page.
public struct PluginStatus: Sendable, Equatable {
    /// The connector's name, or `lua:SCRIPT` for an operator (as `PluginReloadable.node`).
    public var node: String
    /// The plugin file or directory, resolved.
    public var plugin: String
    /// The content hash of the version that runs (as `temblor reload` reports it).
    public var hash: String
    /// When that version was loaded, in seconds since the Unix epoch.
    public var loadedAt: Double
    /// Versions swapped in by reloads since the flow started.
    public var reloads: Int
    /// States dropped and started afresh after faults since the flow started.
    public var restarts: Int
    /// Errors the plugin raised (each failed one event or call) since the flow started.
    public var faults: Int
    /// Bytes the running state uses; 0 while it is restarting or stopped.
    public var memoryBytes: Int
    /// Whether the fault policy gave up on it (its events fail).
    public var stopped: Bool

    public init(
        node: String, plugin: String, hash: String, loadedAt: Double, reloads: Int, restarts: Int, faults: Int, memoryBytes: Int,
        stopped: Bool
    ) {
        self.node = node
        self.plugin = plugin
        self.hash = hash
        self.loadedAt = loadedAt
        self.reloads = reloads
        self.restarts = restarts
        self.faults = faults
        self.memoryBytes = memoryBytes
        self.stopped = stopped
    }
}
