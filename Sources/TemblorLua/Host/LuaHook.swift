/// The plugin hooks the host calls with `ctx`, numbered as the C side's table of hook names.
public enum LuaHook: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case connect = 0, onStart, onPause, onResume, onDrain, onStop, onEvent, onReload

    /// The hook's name in the plugin table.
    public var description: String {
        switch self {
        case .connect: "connect"
        case .onStart: "on_start"
        case .onPause: "on_pause"
        case .onResume: "on_resume"
        case .onDrain: "on_drain"
        case .onStop: "on_stop"
        case .onEvent: "on_event"
        case .onReload: "on_reload"
        }
    }
}
