/// Why a wal could not be opened, written or read; each message names the directory or file.
public enum WalError: Error, CustomStringConvertible, Equatable {
    /// Another process (or another connector of this one) has the directory open.
    case locked(directory: String, holder: String)
    /// A system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// One payload is larger than a record can hold, or than the whole wal may grow.
    case recordTooLarge(bytes: Int, limit: Int)
    /// A segment written by a format version this build cannot read.
    case unsupportedVersion(path: String, version: UInt16)
    /// The wal was closed.
    case closed(directory: String)

    public var description: String {
        switch self {
        case .locked(let directory, let holder):
            "the wal directory \(directory) is in use by \(holder); two processes never share one wal, give each its own path"
        case .io(let path, let operation, let errno):
            "\(operation) \(path): \(String(cString: strerror(errno)))"
        case .recordTooLarge(let bytes, let limit):
            "an event of \(bytes) bytes does not fit the wal (at most \(limit) bytes); raise max_bytes"
        case .unsupportedVersion(let path, let version):
            "\(path) was written by wal format version \(version); this build reads version \(WalFormat.version)"
        case .closed(let directory):
            "the wal \(directory) is closed"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
