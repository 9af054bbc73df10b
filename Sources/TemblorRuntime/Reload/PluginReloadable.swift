/// A running Lua connector or operator whose plugin can be swapped for a new version of its
/// files while the flow runs (DESIGN §5).
public protocol PluginReloadable: Sendable {
    /// The connector's name, or `pipeline/lua` for an operator, for logs and metrics.
    var node: String { get }
    /// The plugin file or directory as the flow names it, resolved.
    var pluginPath: String { get }
    /// The directory whose `.lua` files make up the plugin (the file's own directory, or the
    /// plugin directory): a change there asks for a reload.
    var pluginDirectory: String { get }
    /// Loads the plugin's files as they are now in a fresh state and, when it validates,
    /// swaps it in between batches; a version that fails leaves the running one in place.
    func reload() async -> PluginReloadOutcome
    /// The running version and its record, read between batches.
    func status() async -> PluginStatus
}
