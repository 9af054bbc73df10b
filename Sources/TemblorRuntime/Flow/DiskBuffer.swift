import TemblorValue

/// `buffer: {type: disk, path, max_bytes}` on a sink connector: shorthand for a `wal` connector
/// placed in front of it, which every link into the sink goes through (Vector's disk buffer).
public struct DiskBuffer: Sendable, Equatable {
    /// The keys a `buffer:` mapping may hold.
    public static let keys = ["type", "path", "max_bytes"]
    /// The connector type the buffer becomes.
    public static let connectorType = "wal"

    public var path: String
    public var maxBytes: Int?

    /// Reads a `buffer:` mapping; errors name the key as `buffer.<key>`.
    public init(_ config: Value) throws(ConnectorConfigError) {
        guard case .object(let object) = config else {
            throw ConnectorConfigError(key: "buffer", "expected a mapping such as {type: disk, path: /var/lib/temblor/out}, got \(config.typeName)")
        }
        for key in object.keys where !Self.keys.contains(key) {
            throw ConnectorConfigError(key: "buffer.\(key)", "unknown key; known keys: \(Self.keys.joined(separator: ", "))")
        }
        guard let type = object["type"] else {
            throw ConnectorConfigError(key: "buffer.type", "missing; the only buffer type is 'disk'")
        }
        guard type.stringValue == "disk" else {
            throw ConnectorConfigError(key: "buffer.type", "expected 'disk' (events in memory need no buffer key), got '\(type.stringValue ?? "\(type)")'")
        }
        guard let path = object["path"]?.stringValue, !path.isEmpty else {
            throw ConnectorConfigError(key: "buffer.path", "missing; a disk buffer needs the directory it keeps its wal in")
        }
        self.path = path
        if let raw = object["max_bytes"] {
            guard let n = raw.intValue, let bytes = Int(exactly: n), bytes > 0 else {
                throw ConnectorConfigError(key: "buffer.max_bytes", "expected a positive integer (bytes), got \(raw)")
            }
            maxBytes = bytes
        }
    }

    /// The configuration of the wal connector it stands for.
    public var walConfig: Value {
        var config: Value = ["path": .string(path)]
        if let maxBytes { config["max_bytes"] = .int(Int64(maxBytes)) }
        return config
    }

    /// The name of the wal placed in front of the sink `name` (the validator refuses a flow that uses it itself).
    public static func walName(for name: String) -> String { name + ".buffer" }
}
