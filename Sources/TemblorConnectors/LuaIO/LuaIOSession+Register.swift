import NIOCore
import TemblorLua

extension LuaIOSession {
    /// Waits for a socket being opened (its reservation already made) and gives the script its
    /// handle; a socket that fails, does not open in time, or opens after the session closed
    /// gives its reservation back and is closed.
    func register<Socket: Sendable>(
        _ opening: EventLoopFuture<Socket>, timeoutMs: Int, channel: @escaping @Sendable (Socket) -> any Channel,
        as resource: (Socket) -> LuaIOResource, failure: (any Error) -> String
    ) async -> LuaIOResult {
        let outcome = await LuaWait.future(opening, timeoutMs: timeoutMs)
        if case .value(let socket) = outcome, !closed {
            return .values([.int(Int64(add(resource(socket))))])
        }
        releaseSocket()
        switch outcome {
        case .value(let socket):
            channel(socket).close(promise: nil)
            return .failure("closed")
        case .error(let error):
            return .failure(failure(error))
        case .timeout, .cancelled:
            opening.whenSuccess { channel($0).close(promise: nil) }
            if case .timeout = outcome { return .failure("timeout") }
            return .failure("cancelled")
        }
    }
}
