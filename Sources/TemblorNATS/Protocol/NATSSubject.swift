/// Checks subjects before they go on the wire: a subject the server would reject, or one with
/// a space that would shift the fields of the line, fails here with its name instead.
enum NATSSubject {
    /// A subject to publish to: tokens, no wildcards.
    static func validatePublish(_ subject: String) throws(NATSError) {
        guard check(subject, wildcards: false) else { throw .invalidSubject(subject) }
    }

    /// A subject to subscribe to: `*` may stand for a token, `>` for the rest (as the last token).
    static func validateSubscribe(_ subject: String) throws(NATSError) {
        guard check(subject, wildcards: true) else { throw .invalidSubject(subject) }
    }

    /// A queue group name: one word, no spaces.
    static func validateQueue(_ queue: String) throws(NATSError) {
        guard !queue.isEmpty, !queue.utf8.contains(where: { $0 <= 32 || $0 == 127 }) else { throw .invalidSubject(queue) }
    }

    private static func check(_ subject: String, wildcards: Bool) -> Bool {
        var tokenLength = 0
        var tokenFirst: UInt8 = 0
        var sawTail = false
        /// Whether the token just ended may stand where it does.
        func tokenIsFine() -> Bool {
            guard tokenLength > 0, !sawTail else { return false }
            if tokenLength == 1, tokenFirst == UInt8(ascii: "*") || tokenFirst == UInt8(ascii: ">") {
                guard wildcards else { return false }
                if tokenFirst == UInt8(ascii: ">") { sawTail = true }
            }
            return true
        }
        for byte in subject.utf8 {
            switch byte {
            case 0...32, 127:
                return false
            case UInt8(ascii: "."):
                guard tokenIsFine() else { return false }
                tokenLength = 0
            default:
                if tokenLength == 0 { tokenFirst = byte }
                tokenLength += 1
            }
        }
        return tokenIsFine()
    }
}
