import NIOCore

/// A plugin's UDP socket: the channel and the handler that queues the datagrams it receives.
struct LuaUdpSocket: Sendable {
    var channel: any Channel
    var handler: NIOLoopBound<LuaDatagramHandler>
}
