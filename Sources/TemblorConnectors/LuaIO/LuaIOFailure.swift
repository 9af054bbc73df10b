#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// A host I/O call that failed: `message` is what the script gets as `nil, message`.
struct LuaIOFailure: Error, Sendable, CustomStringConvertible {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }

    /// The script's words for a socket error: `"closed"` for a peer that went away, the system's
    /// reason for an errno, lowercased as Lua libraries print them ("connection refused").
    static func reason(_ error: any Error) -> String {
        if let failure = error as? LuaIOFailure { return failure.message }
        if let io = error as? IOError {
            switch io.errnoCode {
            case EPIPE, ECONNRESET, ENOTCONN: return "closed"
            case ETIMEDOUT: return "timeout"
            default: return errnoText(io.errnoCode)
            }
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed, .eof: return "closed"
            case .connectTimeout: return "timeout"
            default: return "\(channel)"
            }
        }
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            return reason(first.error)
        }
        return "\(error)"
    }

    /// `strerror` with a lowercase first letter.
    static func errnoText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
