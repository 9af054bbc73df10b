#if canImport(Glibc)
import Glibc
#endif
import TemblorCodecs
import TemblorRuntime
import TemblorValue

/// `stdio`: reads standard input as one stream until it closes, and writes events to standard
/// output (or standard error with `output: stderr`).
public struct StdioConnector: ConnectorFactory {
    public init() {}

    public var info: ConnectorTypeInfo {
        ConnectorTypeInfo(
            name: "stdio", hasSource: true, hasSink: true, defaultCodec: "json",
            defaultPreprocessors: ["separate"], defaultPostprocessors: ["separate"]
        ) { config throws(ConnectorConfigError) in
            _ = try Self.output(config)
        }
    }

    static func output(_ config: Value) throws(ConnectorConfigError) -> String {
        try ConfigReader(config, allowed: ["output"]).choice("output", default: "stdout", in: ["stdout", "stderr"])
    }

    public func make(_ definition: ConnectorDefinition, directory: String) throws(ConnectorConfigError) -> ConnectorParts {
        let output = try Self.output(definition.config)
        return ConnectorParts(source: StdinSource(), sink: StdoutSink(fd: output == "stderr" ? 2 : 1))
    }
}

/// Reads standard input to its end.
struct StdinSource: Source {
    func run(_ context: SourceContext) async throws {
        let input = FileDescriptor(fd: 0)
        var stream = try context.openStream()
        while !Task.isCancelled {
            let chunk = try input.read(upTo: 1 << 16, path: "standard input")
            if chunk.isEmpty { break }
            await stream.receive(chunk[...])
        }
        await stream.end()
    }
}

/// Writes each batch to standard output or standard error, then acks it.
struct StdoutSink: Sink {
    let fd: Int32

    func run(_ input: SinkInput, _ context: SinkContext) async throws {
        let name = fd == 2 ? "standard error" : "standard output"
        try await DescriptorWriter(file: FileDescriptor(fd: fd), name: name).drain(input, context)
    }
}
