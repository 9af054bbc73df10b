import TemblorRuntime

/// A reload's report as the API writes it: `report` is the text `temblor reload` prints, line by
/// line; `plugins` the same outcomes as fields; and the summary's counts.
struct ReloadJSON: Encodable, Sendable {
    struct PluginJSON: Encodable, Sendable {
        var flow: String
        var node: String
        var plugin: String
        /// `swapped`, `unchanged` or `failed`.
        var result: String
        var hash: String?
        var oldHash: String?
        var swapMicroseconds: Int?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case flow, node, plugin, result, hash, error
            case oldHash = "old_hash"
            case swapMicroseconds = "swap_us"
        }
    }

    var report: [String]
    var plugins: [PluginJSON]
    var swapped: Int
    var unchanged: Int
    var failed: Int

    init(_ flows: [(flow: String, outcomes: [PluginReloadOutcome])]) {
        let all = PluginReloadReport(flows.flatMap(\.outcomes))
        report = all.lines
        swapped = all.swapped
        unchanged = all.unchanged
        failed = all.failed
        plugins = flows.flatMap { flow in
            flow.outcomes.map { outcome in
                var plugin = PluginJSON(flow: flow.flow, node: outcome.node, plugin: outcome.plugin, result: "")
                switch outcome.result {
                case .swapped(let old, let new, let micros):
                    (plugin.result, plugin.oldHash, plugin.hash, plugin.swapMicroseconds) = ("swapped", old, new, micros)
                case .unchanged(let hash):
                    (plugin.result, plugin.hash) = ("unchanged", hash)
                case .failed(let message):
                    (plugin.result, plugin.error) = ("failed", message)
                }
                return plugin
            }
        }
    }
}
