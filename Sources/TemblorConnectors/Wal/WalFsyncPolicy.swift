import TemblorRuntime
import TemblorValue

/// When the wal makes what it appended durable, which is when it acknowledges it upstream.
enum WalFsyncPolicy: Sendable, Equatable {
    /// One fsync per batch, before the batch is acknowledged (the default).
    case batch
    /// One fsync per event.
    case always
    /// An fsync every N milliseconds; events are acknowledged once written, so a power loss
    /// can lose the last N milliseconds (a process crash loses nothing: the kernel has them).
    case interval(milliseconds: Int)

    /// Reads `fsync:` (`batch`, `always`, or `{interval_ms: N}`).
    init(_ raw: Value?) throws(ConnectorConfigError) {
        switch raw {
        case nil, .null:
            self = .batch
        case .string("batch"):
            self = .batch
        case .string("always"):
            self = .always
        case .object(let object) where object.count == 1 && object["interval_ms"] != nil:
            guard let ms = object["interval_ms"]?.intValue, ms >= 1, ms <= 60_000 else {
                throw ConnectorConfigError(key: "fsync.interval_ms", "expected an integer in 1...60000, got \(object["interval_ms"]!)")
            }
            self = .interval(milliseconds: Int(ms))
        default:
            throw ConnectorConfigError(key: "fsync", "expected batch, always or {interval_ms: N}, got \(raw!)")
        }
    }
}
