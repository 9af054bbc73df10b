#if canImport(Glibc)
import Glibc
#endif
import TemblorRuntime
import TemblorCodecs
import TemblorValue

/// `file`: reads a file to its end as one stream (`mode: read`, a finite source), follows it like
/// `tail -F` (`follow: true`), or writes events to it (`write`/`truncate` start empty, `append`
/// keeps what is there).
public struct FileConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(
            name: "file", hasSource: true, hasSink: true, defaultCodec: "json",
            defaultPreprocessors: ["separate"], defaultPostprocessors: ["separate"]
        ) { config throws(ConnectorConfigError) in
            _ = try Self.settings(config)
        }
    }

    struct Settings {
        var path: String
        var mode: String
        var chunkSize: Int
        var follow: Bool
        var pollMs: Int
    }

    static func settings(_ config: Value) throws(ConnectorConfigError) -> Settings {
        let reader = try ConfigReader(config, allowed: ["path", "mode", "chunk_size", "follow", "poll_ms"])
        let settings = Settings(
            path: try reader.requiredString("path"),
            mode: try reader.choice("mode", default: "read", in: ["read", "write", "append", "truncate"]),
            chunkSize: try reader.int("chunk_size", in: 1...(64 << 20)) ?? (1 << 16),
            follow: try reader.bool("follow") ?? false,
            pollMs: try reader.int("poll_ms", in: 1...3_600_000) ?? 200)
        if settings.follow && settings.mode != "read" {
            throw ConnectorConfigError(
                key: "follow", "only valid with mode read, not '\(settings.mode)'; remove follow or set mode to read")
        }
        return settings
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        var settings = try Self.settings(definition.config)
        settings.path = resolve(settings.path, in: directory)
        if settings.mode == "read" && settings.follow {
            return ConnectorParts(source: FileFollower(path: settings.path, chunkSize: settings.chunkSize, pollMs: settings.pollMs))
        }
        if settings.mode == "read" {
            return ConnectorParts(source: FileSource(path: settings.path, chunkSize: settings.chunkSize))
        }
        return ConnectorParts(sink: FileSink(path: settings.path, append: settings.mode == "append"))
    }
}

/// Reads a file in chunks through the connector's preprocessors and codec, then ends.
struct FileSource: Source {
    let path: String
    let chunkSize: Int

    func run(_ context: SourceContext) async throws {
        let file = try FileDescriptor.open(path, flags: O_RDONLY)
        defer { file.close() }
        var stream = try context.openStream(meta: ["path": .string(path)])
        while !Task.isCancelled {
            let chunk = try file.read(upTo: chunkSize, path: path)
            if chunk.isEmpty { break }
            await stream.receive(chunk[...])
        }
        await stream.end()
    }
}

/// Writes each batch's encodings in one write, then acks the batch; a failed write fails it.
struct FileSink: Sink {
    let path: String
    let append: Bool

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        let flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
        let file = try FileDescriptor.open(path, flags: flags)
        defer { file.close() }
        try await DescriptorWriter(file: file, name: path).drain(input, context)
    }
}
