#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import NIOSSL

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
        if let tls = error as? NIOSSLError, case .handshakeFailed(let inner) = tls {
            return "TLS handshake failed: \(Self.openSSLReason(inner))"
        }
        return "\(error)"
    }

    /// BoringSSL's reason words (`CERTIFICATE_VERIFY_FAILED`) without its codes and source paths.
    private static func openSSLReason(_ error: BoringSSLError) -> String {
        guard case .sslError(let errors) = error else { return "\(error)" }
        let words = errors.map { "\($0)" }.compactMap { text -> String? in
            // "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at ..."
            let head = text.split(separator: " at ", maxSplits: 1).first.map(String.init) ?? text
            return head.split(separator: ":").last.map(String.init)
        }
        let reason = words.joined(separator: ", ")
        if reason.contains("CERTIFICATE_VERIFY_FAILED") {
            return "CERTIFICATE_VERIFY_FAILED (the server's certificate is not trusted: give its CA as tls.ca, or fix its name)"
        }
        return reason.isEmpty ? "\(error)" : reason
    }
}
