/// Something a plugin state opened and holds by a handle.
enum LuaIOResource: Sendable {
    case tcp(LuaTcpSocket)
    case udp(LuaUdpSocket)
    case lines(LuaLineReader)

    /// Whether it counts against `limits.sockets` (else against `limits.files`).
    var isSocket: Bool {
        if case .lines = self { return false }
        return true
    }
}
