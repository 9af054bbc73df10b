import NIOCore

/// A plugin's TCP connection: the channel and the handler that buffers what it receives.
struct LuaTcpSocket: Sendable {
    var channel: any Channel
    var handler: NIOLoopBound<LuaStreamHandler>
}
