import TemblorLua
import TemblorValue

/// A plugin as a test declares it with `t.plugin(path, options)`: what to load and how the
/// flow around it would be set up.
struct PluginTestSpec {
    /// The plugin file or directory, resolved from the test file's directory.
    var path: String
    /// The flow's `config`, merged over the plugin's defaults when it loads.
    var config: Value
    var isOperator: Bool
    /// What the connector is granted: everything unless the test gave `allow`.
    var capabilities: LuaCapabilities
    /// Whether the test gave `allow` (stubbed calls are then checked against it).
    var checksGrants: Bool
    var limits: LuaLimits
    /// What decodes `ctx:emit_raw` bytes.
    var codec: String

    /// The fault-handling keys of a flow's `limits:`, which a test accepts and does not use.
    static let faultKeys: Set<String> = ["max_errors", "max_restarts", "backoff_ms", "max_backoff_ms"]

    init(path: String, options: Value, directory: String) throws(PluginTestError) {
        self.path = path.hasPrefix("/") ? path : directory + "/" + path
        config = options["config"] ?? .null
        isOperator = options["kind"]?.stringValue == "operator"
        codec = options["codec"]?.stringValue ?? "json"
        let allow = options["allow"] ?? .null
        if isOperator {
            guard allow.isNull else { throw PluginTestError("t.plugin(\"\(path)\"): an operator has no allow: (pipeline operators cannot use host I/O)") }
            capabilities = LuaCapabilities()
            checksGrants = true
        } else if allow.isNull {
            capabilities = LuaCapabilities(
                net: [LuaCapabilities.NetGrant(host: nil, port: nil)], read: ["/"], write: ["/"], directory: directory)
            checksGrants = false
        } else {
            do {
                capabilities = try LuaCapabilities(allow, directory: directory)
            } catch {
                throw PluginTestError("t.plugin(\"\(path)\"): allow: \(error)")
            }
            checksGrants = true
        }
        var resource = Object()
        if case .object(let given)? = options["limits"] {
            for (key, value) in given {
                if LuaLimits.keys.contains(key) {
                    resource[key] = value
                } else if !Self.faultKeys.contains(key) {
                    throw PluginTestError(
                        "t.plugin(\"\(path)\"): unknown limit '\(key)' (the limits are \((LuaLimits.keys + Self.faultKeys.sorted()).joined(separator: ", ")))")
                }
            }
        }
        do {
            limits = try LuaLimits(.object(resource))
        } catch {
            throw PluginTestError("t.plugin(\"\(path)\"): limits: \(error)")
        }
    }

    /// The name logs and denials use for the instance: the plugin's file or directory name.
    var instanceName: String {
        var base = String(path.split(separator: "/").last ?? "plugin")
        if base == "init.lua", let parent = path.split(separator: "/").dropLast().last { base = String(parent) }
        return base.hasSuffix(".lua") ? String(base.dropLast(4)) : base
    }
}
