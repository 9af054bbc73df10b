/// What asking one plugin to reload did, as logs, metrics and `temblor reload` report it.
public struct PluginReloadOutcome: Sendable, Equatable, CustomStringConvertible {
    public enum Result: Sendable, Equatable {
        /// The new version runs: the content hashes of both, and how long events waited.
        case swapped(oldHash: String, newHash: String, swapMicroseconds: Int)
        /// The files did not change since the running version loaded.
        case unchanged(hash: String)
        /// The new version was refused (its error, with file and line); the old one runs on.
        case failed(String)
    }

    public var node: String
    public var plugin: String
    public var result: Result

    public init(node: String, plugin: String, result: Result) {
        self.node = node
        self.plugin = plugin
        self.result = result
    }

    public var description: String {
        switch result {
        case .swapped(let old, let new, let micros):
            "\(node): reloaded \(plugin) (\(old) -> \(new)), swap \(micros) us"
        case .unchanged(let hash):
            "\(node): \(plugin) unchanged (\(hash))"
        case .failed(let message):
            "\(node): reload of \(plugin) failed, the running version stays: \(message)"
        }
    }
}
