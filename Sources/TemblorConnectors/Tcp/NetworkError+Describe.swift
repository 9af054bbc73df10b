#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

extension NetworkError {
    /// A short reason for a socket error: the system's words for an errno ("Connection refused")
    /// instead of NIO's nested descriptions; other errors as they describe themselves.
    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let connection = error as? NIOConnectionError {
            if let dns = connection.dnsAError ?? connection.dnsAAAAError { return "cannot resolve \(connection.host): \(dns)" }
            let reasons = connection.connectionErrors.map { reason($0.error) }
            if let first = reasons.first, reasons.allSatisfy({ $0 == first }) { return first }
            if !reasons.isEmpty { return reasons.joined(separator: "; ") }
        }
        if let channel = error as? ChannelError, case .connectTimeout(let timeout) = channel {
            return "no answer within \(timeout.nanoseconds / 1_000_000) ms"
        }
        return "\(error)"
    }
}
