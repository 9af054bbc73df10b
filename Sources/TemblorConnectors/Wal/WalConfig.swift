import TemblorRuntime
import TemblorValue
import TemblorWAL

/// A `wal` connector's configuration: where it keeps its log, how large it may grow, and when
/// it syncs.
struct WalConfig: Sendable, Equatable {
    static let keys: Set<String> = ["path", "max_bytes", "segment_bytes", "fsync"]
    /// The log directory, resolved against the flow file's directory.
    var path: String
    var options: WalOptions
    var fsync: WalFsyncPolicy

    init(_ config: Value, directory: String) throws(ConnectorConfigError) {
        let reader = try ConfigReader(config, allowed: Self.keys)
        path = resolve(try reader.requiredString("path"), in: directory)
        let defaults = WalOptions()
        let maxBytes = try reader.int("max_bytes", in: 4096...(1 << 50)) ?? defaults.maxBytes
        let segmentBytes = try reader.int("segment_bytes", in: 1024...(1 << 40)) ?? min(defaults.segmentBytes, maxBytes / 4)
        guard segmentBytes <= maxBytes / 2 else {
            throw ConnectorConfigError(
                key: "segment_bytes", "must be at most half of max_bytes (\(maxBytes)), so that a full wal can reclaim a segment; got \(segmentBytes)")
        }
        options = WalOptions(maxBytes: maxBytes, segmentBytes: segmentBytes)
        fsync = try WalFsyncPolicy(config["fsync"])
    }
}
