#if canImport(Glibc)
import Glibc
#endif

/// Where `temblor run` listens for `temblor reload`: one well-known place per user unless told
/// otherwise, so that `temblor reload` alone finds the daemon the user started.
enum ControlPath {
    /// The word that disables the control socket.
    static let disabled = "none"

    /// The socket path for `--control` (nil when not given): the option, else
    /// `$TEMBLOR_CONTROL`, else `${XDG_RUNTIME_DIR:-/tmp}/temblor-<uid>.sock`; nil for `none`.
    static func resolve(_ option: String?) -> String? {
        let chosen = option ?? environment("TEMBLOR_CONTROL") ?? defaultPath
        return chosen == disabled ? nil : chosen
    }

    /// Whether the path was asked for (option or environment) rather than the default.
    static func isExplicit(_ option: String?) -> Bool {
        option != nil || environment("TEMBLOR_CONTROL") != nil
    }

    static var defaultPath: String {
        let directory = environment("XDG_RUNTIME_DIR") ?? "/tmp"
        return "\(directory)/temblor-\(getuid()).sock"
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
